import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type TributaryConfig } from '@tributary/config';
import { useJsonBodiesOnly } from './common/json-body';
import { ProblemFilter } from './common/problem.filter';
import { zodComponents } from './docs/openapi';
import { registerApiDocs } from './docs/swagger-ui';
import { closeConnectionsWhenIdle } from './http/graceful-close';
import { GatewayModule } from './gateway.module';
import { gatewayOptions, type GatewayOptionsOverrides } from './gateway.options';

export interface CreateGatewayOptions {
  readonly logger: LoggerService;
  readonly overrides?: GatewayOptionsOverrides;
}

export function openApiDocument(app: NestFastifyApplication): object {
  const base = new DocumentBuilder()
    .setTitle('Tributary gateway')
    .setDescription(
      'Submit recommendation tasks, follow them live (Server-Sent Events) and read reviewed results. ' +
        'Every error is RFC 9457 problem details (`application/problem+json`).',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, base);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...zodComponents() },
  };
  return document;
}

/**
 * The gateway as a Nest application on Fastify, not yet listening: `main.ts` listens on the
 * configured address, integration tests on port 0. Everything about HTTP behaviour (body limit,
 * JSON only, problem details, docs) is set here so both get the same server.
 */
export async function createGatewayApp(
  config: TributaryConfig,
  { logger, overrides }: CreateGatewayOptions,
): Promise<NestFastifyApplication> {
  const options = gatewayOptions(overrides);
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimitBytes, return503OnClosing: true });
  useJsonBodiesOnly(adapter.getInstance(), options.bodyLimitBytes);
  closeConnectionsWhenIdle(adapter.getInstance(), options.shutdownGraceMs);
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot({ config, options, logger }),
    adapter,
    {
      logger,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new ProblemFilter(logger, { bodyLimitBytes: options.bodyLimitBytes }));
  registerApiDocs(adapter.getInstance(), openApiDocument(app));
  return app;
}

import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigFromProcess, type ServiceName, type TributaryConfig } from '@tributary/config';
import { EventProducer, KafkaRuntime } from '@tributary/kafka';
import { JsonLogger } from '@tributary/platform';
import { startTracing } from '@tributary/tracing';
import { AgentKitModule } from './agent-kit.module';
import { UndeliverableEvents } from './undeliverable-events';

export interface AgentDefinition {
  readonly service: ServiceName;
  /** The consumer group: its retry and dead-letter topics derive from it. */
  readonly group: string;
  /** The stage the agent works on (planning, researching, reviewing), as its failures name it. */
  readonly stage: string;
  /** The agent's own module: its handlers (controllers) and use cases. */
  readonly feature: (config: TributaryConfig) => Type | DynamicModule;
}

/** Builds an agent application: health over HTTP plus the Kafka transport running its handlers. */
export async function createAgentApp(
  definition: AgentDefinition,
  config: TributaryConfig,
): Promise<NestFastifyApplication> {
  const logger = new JsonLogger(config.service, config.logLevel);

  @Module({ imports: [AgentKitModule.forRoot(config, definition.group), definition.feature(config)] })
  class AgentRoot {}

  const app = await NestFactory.create<NestFastifyApplication>(AgentRoot, new FastifyAdapter(), { logger });
  app.enableShutdownHooks();
  // Topics and schemas exist before the consumer joins its group.
  await app.init();
  // An event no handler could read still ends its task (the dead letter is for operators).
  const undeliverable = new UndeliverableEvents(app.get(EventProducer), definition.stage);
  // Every step writes the call journal: a store (or registry) outage is waited out in place, with the
  // partition paused, rather than spending the retry budget and failing the task.
  const failurePolicy = { onTransient: 'hold-partition' } as const;
  app.connectMicroservice(
    {
      strategy: app.get(KafkaRuntime).transport({
        group: definition.group,
        onUndeliverable: undeliverable.handle,
        failurePolicy,
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  return app;
}

/** `main.ts` of an agent: read the configuration once, start, and listen for health checks. */
export async function runAgent(definition: AgentDefinition): Promise<void> {
  const config = loadConfigFromProcess(definition.service);
  // Before the application is built: every span it starts goes to the configured OTLP endpoint.
  startTracing(config, new JsonLogger(config.service, config.logLevel));
  const app = await createAgentApp(definition, config);
  await app.listen(config.http.port, config.http.host);
}

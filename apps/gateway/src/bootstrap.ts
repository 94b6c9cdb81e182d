import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type TributaryConfig } from '@tributary/config';
import { type Producer } from 'kafkajs';
import { instrumentHttpServer } from '@tributary/metrics';
import { traceHttpRequests } from '@tributary/tracing';
import { authenticateEarly } from './auth/authenticate-early';
import { Authenticator } from './auth/authenticator';
import { answerOnlyLoopbackHosts } from './auth/loopback-host-guard';
import { RateLimiter } from './auth/rate-limiter';
import { useJsonBodiesOnly } from './http/json-body';
import { ProblemFilter } from './http/problem.filter';
import { problemResponse, zodComponents } from './docs/openapi';
import { registerApiDocs } from './docs/swagger-ui';
import { closeConnectionsWhenIdle } from './http/graceful-close';
import { frameworkErrorProblem } from './http/framework-errors';
import { answerMethodNotAllowed } from './http/method-not-allowed';
import { boundStoreOperationsPerRequest } from './http/store-deadline';
import { GatewayModule } from './gateway.module';
import { gatewayOptions, type GatewayOptionsOverrides } from './config/gateway.options';
// Loaded for their side effect as well: each `.meta({ id })` names a schema of the OpenAPI document.
import './read-model/task.schemas';
import './streams/stream.schemas';
import './submission/submission.schemas';
import './webhooks/webhook.schemas';

export interface CreateGatewayOptions {
  readonly logger: LoggerService;
  readonly overrides?: GatewayOptionsOverrides;
  /** An existing kafkajs producer for the gateway's events (it must be idempotent); one is created otherwise. */
  readonly kafkaProducer?: Producer;
}

/**
 * The OpenAPI document of this gateway. With authentication disabled it declares no security
 * scheme and no 401/403/429 answers: the document describes the gateway as deployed.
 */
export function openApiDocument(app: NestFastifyApplication, authEnabled = true): object {
  const base = new DocumentBuilder()
    .setTitle('Tributary gateway')
    .setDescription(
      'Submit recommendation tasks, follow them live (Server-Sent Events) and read reviewed results. ' +
        'Every error is RFC 9457 problem details (`application/problem+json`).' +
        (authEnabled ? '' : ' Authentication is disabled on this gateway: every caller is tenant `default`.'),
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key (`trb_…`, see docs/security.md) or, if configured, a JWT. Health and docs endpoints are open.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, base);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...zodComponents() },
  };
  // Any `/v1` request reads or writes the store, which may not answer in time (http/store-deadline.ts).
  const { status: _status, ...unavailable } = problemResponse(
    503,
    'A dependency (the store, or Kafka) did not answer in time; retry after `Retry-After`.',
  );
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1')) continue;
    for (const operation of Object.values(item) as { responses?: Record<string, unknown> }[]) {
      if (typeof operation !== 'object' || operation === null || operation.responses === undefined) continue;
      operation.responses['503'] ??= unavailable;
    }
  }
  if (!authEnabled) {
    delete document.components.securitySchemes;
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item) as {
        security?: unknown;
        responses?: Record<string, unknown>;
      }[]) {
        if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
        delete operation.security;
        for (const status of ['401', '403', '429']) delete operation.responses?.[status];
      }
    }
  }
  return document;
}

/**
 * The gateway as a Nest application on Fastify, not yet listening: `main.ts` listens on the
 * configured address, integration tests on port 0. Everything about HTTP behaviour (body limit,
 * JSON only, problem details, docs) is set here so both get the same server.
 */
export async function createGatewayApp(
  config: TributaryConfig,
  { logger, overrides, kafkaProducer }: CreateGatewayOptions,
): Promise<NestFastifyApplication> {
  const options = gatewayOptions(overrides);
  if (config.http.connectionTimeoutMs <= options.sse.heartbeatMs) {
    // An idle event stream would be cut between two heartbeats.
    throw new Error(
      `TRIBUTARY_HTTP_CONNECTION_TIMEOUT_MS (${config.http.connectionTimeoutMs}) must exceed the event-stream heartbeat (${options.sse.heartbeatMs} ms)`,
    );
  }
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    routerOptions: {
      // Far above any valid parameter (ids, user ids ≤ 128), so a long one reaches validation (400).
      maxParamLength: 4096,
    },
    frameworkErrors: frameworkErrorProblem,
    // Slow clients cannot hold connections open: the whole request within requestTimeout (else
    // 408), and the headers sooner (Node's server closes the connection). Responses are not bounded
    // by these (event streams run for as long as their task). Idle and silent connections close.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: config.http.connectionTimeoutMs,
    http: {
      headersTimeout: Math.min(config.http.headersTimeoutMs, config.http.requestTimeoutMs),
      // Node checks those timeouts on this interval (30 s by default, which would triple a 10 s one).
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(250, Math.floor(config.http.headersTimeoutMs / 4)),
      ),
    },
    // Per-address limits count the client a trusted proxy names, not the proxy.
    ...(config.http.trustProxy.length > 0 ? { trustProxy: [...config.http.trustProxy] } : {}),
  });
  // A server span per API request (when tracing is on), so even a refused request is traced.
  traceHttpRequests(adapter.getInstance());
  // Every answer is counted under its route template, refusals by the hooks below included.
  instrumentHttpServer(adapter.getInstance());
  // First: a request to a loopback-only gateway under another name is refused before anything else.
  if (config.gateway.auth.loopbackHostsOnly) answerOnlyLoopbackHosts(adapter.getInstance());
  answerMethodNotAllowed(adapter.getInstance());
  boundStoreOperationsPerRequest(adapter.getInstance(), options.storeTimeoutMs, options.storeMaxOutstanding);
  useJsonBodiesOnly(adapter.getInstance(), options.bodyLimitBytes);
  closeConnectionsWhenIdle(adapter.getInstance(), options.shutdownGraceMs);
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot({ config, options, logger, ...(kafkaProducer ? { kafkaProducer } : {}) }),
    adapter,
    {
      logger,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new ProblemFilter(logger, { bodyLimitBytes: options.bodyLimitBytes }));
  authenticateEarly(
    adapter.getInstance(),
    app.get(Authenticator),
    new RateLimiter({
      ratePerSecond: config.gateway.limits.unauthenticatedRatePerSecond,
      burst: config.gateway.limits.unauthenticatedBurst,
    }),
  );
  registerApiDocs(adapter.getInstance(), openApiDocument(app, config.gateway.auth.mode === 'required'));
  return app;
}

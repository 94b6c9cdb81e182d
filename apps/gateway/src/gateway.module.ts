import { type DynamicModule, type LoggerService, Module, type Provider } from '@nestjs/common';
import { type RuntimeConfig, type TributaryConfig } from '@tributary/config';
import {
  createKafkaClient,
  EVENT_SERIALIZER,
  type EventSerializer,
  EventProducer,
  KAFKA_CLIENT,
  KafkaAdmin,
  ParallelConsumer,
  RegistrySerializer,
} from '@tributary/kafka';
import {
  connectMongo,
  HealthModule,
  MONGO_CONNECTION,
  mongoReadiness,
  READINESS_CHECKS,
} from '@tributary/platform';
import { type Kafka } from 'kafkajs';
import { type Connection } from 'mongoose';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { RateLimiter } from './auth/rate-limiter';
import { SseHub } from './streams/sse-hub';
import { StreamTaskEventsUseCase } from './streams/stream-task-events.usecase';
import { GATEWAY_OPTIONS, type GatewayOptions } from './config/gateway.options';
import { GatewayLifecycle } from './lifecycle';
import { KafkaTaskEventPublisher, TASK_EVENT_PUBLISHER } from './submission/task-event-publisher';
import { ApiKeyRepository } from './auth/api-key.repository';
import { IdempotencyRepository } from './submission/idempotency.repository';
import { InFlightRepository } from './submission/in-flight.repository';
import { API_KEY_COLLECTION, AUTH_COLLECTION_NAMES } from './auth/collections';
import {
  IDEMPOTENCY_COLLECTION,
  IN_FLIGHT_COLLECTION,
  SUBMISSION_COLLECTION_NAMES,
} from './submission/collections';
import {
  TENANT_WEBHOOK_COLLECTION,
  WEBHOOK_COLLECTION_NAMES,
  WEBHOOK_DELIVERY_COLLECTION,
} from './webhooks/collections';
import { TenantWebhookRepository } from './webhooks/tenant-webhook.repository';
import { WebhookDeliveryRepository } from './webhooks/webhook-delivery.repository';
import {
  COLLECTION_NAMES,
  type CollectionNames,
  collectionNames,
  TASK_EVENT_MODEL,
  TASK_MODEL,
  USER_PROFILE_COLLECTION,
} from './read-model/collections';
import { taskEventModel } from './read-model/task-event.entity';
import { TaskEventRepository } from './read-model/task-event.repository';
import { taskModel } from './read-model/task.entity';
import { TaskRepository } from './read-model/task.repository';
import { UserProfileRepository } from './read-model/user-profile.repository';
import { ProjectionApplier } from './read-model/projection/projection-applier';
import { ProjectionConsumer } from './read-model/projection/projection.consumer';
import { TaskReader } from './read-model/task-reader';
import { TaskNotifier } from './read-model/task-notifier';
import { kafkaReadiness, registryReadiness } from './readiness';
import { InFlightConsumer } from './submission/in-flight.consumer';
import { TasksController } from './read-model/tasks.controller';
import { SubmissionController } from './submission/submission.controller';
import { TaskEventsController } from './streams/task-events.controller';
import { UsersController } from './read-model/users.controller';
import { CancelTaskUseCase } from './submission/cancel-task.usecase';
import { GetTaskUseCase } from './read-model/get-task.usecase';
import { GetUserRecommendationsUseCase } from './read-model/get-user-recommendations.usecase';
import { ListTasksUseCase } from './read-model/list-tasks.usecase';
import { IdempotentSubmission } from './submission/idempotent-submission';
import { SUBMIT_LIMITS, submitLimits, SubmitTaskUseCase } from './submission/submit-task.usecase';
import {
  GATEWAY_LOGGER,
  IN_FLIGHT_CONSUMER,
  PROJECTION_CONSUMER,
  TRIBUTARY_CONFIG,
  WEBHOOK_CONSUMER,
} from './config/tokens';
import { DeliverWebhookUseCase, WEBHOOK_TRANSPORT } from './webhooks/deliver-webhook.usecase';
import { ListDeliveriesUseCase } from './webhooks/list-deliveries.usecase';
import { TargetPolicy } from './webhooks/target-policy';
import { WebhookConsumer } from './webhooks/webhook.consumer';
import { HttpWebhookSender } from './webhooks/webhook-sender';
import { WebhooksController } from './webhooks/webhooks.controller';

export interface GatewayModuleOptions {
  readonly config: TributaryConfig;
  readonly options: GatewayOptions;
  readonly logger: LoggerService;
}

/** Repositories of API keys, idempotency keys, in-flight tickets and webhooks. */
const SECURITY_REPOSITORIES = [
  ApiKeyRepository,
  IdempotencyRepository,
  InFlightRepository,
  WebhookDeliveryRepository,
  TenantWebhookRepository,
];

function securityCollections(): Provider[] {
  const byToken = [
    [API_KEY_COLLECTION, AUTH_COLLECTION_NAMES.apiKeys],
    [IDEMPOTENCY_COLLECTION, SUBMISSION_COLLECTION_NAMES.idempotencyKeys],
    [IN_FLIGHT_COLLECTION, SUBMISSION_COLLECTION_NAMES.inFlight],
    [WEBHOOK_DELIVERY_COLLECTION, WEBHOOK_COLLECTION_NAMES.webhookDeliveries],
    [TENANT_WEBHOOK_COLLECTION, WEBHOOK_COLLECTION_NAMES.tenantWebhooks],
  ] as const;
  return byToken.map(([token, name]) => ({
    provide: token,
    useFactory: (c: Connection) => c.collection(name),
    inject: [MONGO_CONNECTION],
  }));
}

/** A consumer of the gateway's own (not the projection's): same runtime, own group and settings. */
function sideConsumer(
  kafka: Kafka,
  serializer: EventSerializer,
  producer: EventProducer,
  config: TributaryConfig,
  logger: LoggerService,
  group: string,
  fromBeginning: boolean,
  runtime: RuntimeConfig,
  random?: () => number,
): ParallelConsumer {
  return new ParallelConsumer({
    kafka,
    serializer,
    producer,
    group,
    runtime,
    partitions: config.kafka.partitions,
    fromBeginning,
    logger,
    ...(random ? { random } : {}),
  });
}

/**
 * Webhook retries go through the runtime's retry topic. Its backoff is exponential with full
 * jitter; drawing the jitter from [0.5, 1] instead of [0, 1] ("equal jitter") keeps each wait at
 * least half its ceiling, so the attempts spread over the 24 h window instead of bunching early.
 * The attempt count is a backstop only: delivery stops by age (`maxAgeMs`).
 */
function webhookRuntime(config: TributaryConfig): RuntimeConfig {
  const webhooks = config.gateway.webhooks;
  return {
    ...config.runtime,
    concurrency: webhooks.concurrency,
    maxAttempts: 100,
    retryBaseDelayMs: webhooks.retryBaseDelayMs,
    retryMaxDelayMs: webhooks.retryMaxDelayMs,
  };
}

const equalJitter = (): number => 0.5 + Math.random() / 2;

/**
 * I/O the gateway holds (MongoDB, Kafka client, serializer, producer, admin, read-model
 * repositories), global so the health checks can reach it.
 */
@Module({})
class GatewayInfrastructureModule {
  static forRoot({ config, options, logger }: GatewayModuleOptions): DynamicModule {
    const exported = [
      TRIBUTARY_CONFIG,
      GATEWAY_OPTIONS,
      GATEWAY_LOGGER,
      MONGO_CONNECTION,
      COLLECTION_NAMES,
      KAFKA_CLIENT,
      EVENT_SERIALIZER,
      EventProducer,
      KafkaAdmin,
      TASK_EVENT_PUBLISHER,
      TaskRepository,
      TaskEventRepository,
      UserProfileRepository,
      TaskReader,
      TaskNotifier,
      ...SECURITY_REPOSITORIES,
    ];
    return {
      module: GatewayInfrastructureModule,
      global: true,
      providers: [
        { provide: TRIBUTARY_CONFIG, useValue: config },
        { provide: GATEWAY_OPTIONS, useValue: options },
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: MONGO_CONNECTION, useFactory: () => connectMongo(config.mongoUri) },
        { provide: COLLECTION_NAMES, useValue: collectionNames(options.collectionSuffix) },
        {
          provide: TASK_MODEL,
          useFactory: (c: Connection, n: CollectionNames) => taskModel(c, n.tasks),
          inject: [MONGO_CONNECTION, COLLECTION_NAMES],
        },
        {
          provide: TASK_EVENT_MODEL,
          useFactory: (c: Connection, n: CollectionNames) => taskEventModel(c, n.taskEvents),
          inject: [MONGO_CONNECTION, COLLECTION_NAMES],
        },
        {
          provide: USER_PROFILE_COLLECTION,
          useFactory: (c: Connection, n: CollectionNames) => c.collection(n.userProfiles),
          inject: [MONGO_CONNECTION, COLLECTION_NAMES],
        },
        { provide: KAFKA_CLIENT, useFactory: () => createKafkaClient(config, { logger }) },
        {
          provide: EVENT_SERIALIZER,
          useFactory: () =>
            new RegistrySerializer({ registryUrl: config.registryUrl, clientId: config.kafka.clientId }),
        },
        {
          provide: EventProducer,
          useFactory: (kafka: Kafka, serializer: EventSerializer) =>
            new EventProducer(kafka, serializer, { service: config.service }),
          inject: [KAFKA_CLIENT, EVENT_SERIALIZER],
        },
        { provide: KafkaAdmin, useFactory: (kafka: Kafka) => new KafkaAdmin(kafka), inject: [KAFKA_CLIENT] },
        {
          provide: TASK_EVENT_PUBLISHER,
          useFactory: (producer: EventProducer) =>
            new KafkaTaskEventPublisher(producer, options.publishTimeoutMs),
          inject: [EventProducer],
        },
        TaskRepository,
        TaskEventRepository,
        UserProfileRepository,
        TaskReader,
        TaskNotifier,
        ...securityCollections(),
        ...SECURITY_REPOSITORIES,
      ],
      exports: exported,
    };
  }
}

@Module({})
export class GatewayModule {
  static forRoot(settings: GatewayModuleOptions): DynamicModule {
    const { config, options, logger } = settings;
    return {
      module: GatewayModule,
      imports: [
        GatewayInfrastructureModule.forRoot(settings),
        HealthModule.register({
          provide: READINESS_CHECKS,
          useFactory: (admin: KafkaAdmin, mongo: Connection) => [
            kafkaReadiness(admin),
            registryReadiness(config.registryUrl),
            mongoReadiness(mongo),
          ],
          inject: [KafkaAdmin, MONGO_CONNECTION],
        }),
      ],
      controllers: [
        SubmissionController,
        TasksController,
        TaskEventsController,
        UsersController,
        WebhooksController,
      ],
      providers: [
        Authenticator,
        { provide: RateLimiter, useFactory: () => new RateLimiter(config.gateway.limits) },
        AuthGuard,
        IdempotentSubmission,
        { provide: SUBMIT_LIMITS, useValue: submitLimits(config) },
        ListDeliveriesUseCase,
        DeliverWebhookUseCase,
        {
          provide: WEBHOOK_TRANSPORT,
          useFactory: () =>
            new HttpWebhookSender(
              new TargetPolicy(config.gateway.webhooks.allow),
              config.gateway.webhooks.timeoutMs,
            ),
        },
        {
          provide: WEBHOOK_CONSUMER,
          useFactory: (
            kafka: Kafka,
            serializer: EventSerializer,
            producer: EventProducer,
            deliver: DeliverWebhookUseCase,
          ) =>
            options.webhooks.enabled
              ? new WebhookConsumer(
                  sideConsumer(
                    kafka,
                    serializer,
                    producer,
                    config,
                    logger,
                    options.webhooks.group,
                    options.webhooks.fromBeginning,
                    webhookRuntime(config),
                    equalJitter,
                  ),
                  deliver,
                )
              : null,
          inject: [KAFKA_CLIENT, EVENT_SERIALIZER, EventProducer, DeliverWebhookUseCase],
        },
        {
          provide: IN_FLIGHT_CONSUMER,
          useFactory: (
            kafka: Kafka,
            serializer: EventSerializer,
            producer: EventProducer,
            inFlight: InFlightRepository,
          ) =>
            options.inFlight.enabled
              ? new InFlightConsumer(
                  sideConsumer(
                    kafka,
                    serializer,
                    producer,
                    config,
                    logger,
                    options.inFlight.group,
                    options.inFlight.fromBeginning,
                    config.runtime,
                  ),
                  inFlight,
                )
              : null,
          inject: [KAFKA_CLIENT, EVENT_SERIALIZER, EventProducer, InFlightRepository],
        },
        SubmitTaskUseCase,
        GetTaskUseCase,
        ListTasksUseCase,
        CancelTaskUseCase,
        GetUserRecommendationsUseCase,
        StreamTaskEventsUseCase,
        SseHub,
        ProjectionApplier,
        {
          provide: PROJECTION_CONSUMER,
          useFactory: (
            kafka: Kafka,
            serializer: EventSerializer,
            producer: EventProducer,
            applier: ProjectionApplier,
          ) =>
            options.projection.enabled
              ? new ProjectionConsumer(
                  new ParallelConsumer({
                    kafka,
                    serializer,
                    producer,
                    group: options.projection.group,
                    runtime: config.runtime,
                    partitions: config.kafka.partitions,
                    fromBeginning: options.projection.fromBeginning,
                    logger,
                  }),
                  applier,
                  options.projection.maxBatch,
                )
              : null,
          inject: [KAFKA_CLIENT, EVENT_SERIALIZER, EventProducer, ProjectionApplier],
        },
        GatewayLifecycle,
      ],
    };
  }
}

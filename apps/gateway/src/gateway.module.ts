import { type DynamicModule, type LoggerService, Module } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
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
import { SseHub } from './events/sse-hub';
import { StreamTaskEventsUseCase } from './events/stream-task-events.usecase';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { GatewayLifecycle } from './lifecycle';
import { KafkaTaskEventPublisher, TASK_EVENT_PUBLISHER } from './messaging/task-event-publisher';
import { COLLECTION_NAMES, type CollectionNames, collectionNames } from './persistence/collections';
import { taskEventModel } from './persistence/task-event.entity';
import { TaskEventRepository } from './persistence/task-event.repository';
import { taskModel } from './persistence/task.entity';
import { TaskRepository } from './persistence/task.repository';
import { TASK_EVENT_MODEL, TASK_MODEL, USER_PROFILE_COLLECTION } from './persistence/tokens';
import { UserProfileRepository } from './persistence/user-profile.repository';
import { ProjectionApplier } from './projection/projection-applier';
import { ProjectionConsumer } from './projection/projection.consumer';
import { TaskLog } from './projection/task-log';
import { TaskNotifier } from './projection/task-notifier';
import { kafkaReadiness, registryReadiness } from './readiness';
import { TasksController } from './tasks/tasks.controller';
import { UsersController } from './tasks/users.controller';
import { CancelTaskUseCase } from './tasks/usecases/cancel-task.usecase';
import { GetTaskUseCase } from './tasks/usecases/get-task.usecase';
import { GetUserRecommendationsUseCase } from './tasks/usecases/get-user-recommendations.usecase';
import { ListTasksUseCase } from './tasks/usecases/list-tasks.usecase';
import { SubmitTaskUseCase } from './tasks/usecases/submit-task.usecase';
import { GATEWAY_LOGGER, PROJECTION_CONSUMER, TRIBUTARY_CONFIG } from './tokens';

export interface GatewayModuleOptions {
  readonly config: TributaryConfig;
  readonly options: GatewayOptions;
  readonly logger: LoggerService;
}

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
      TaskLog,
      TaskNotifier,
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
        TaskLog,
        TaskNotifier,
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
      controllers: [TasksController, UsersController],
      providers: [
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

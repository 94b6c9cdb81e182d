import { type DynamicModule, type LoggerService, Module, type Type } from '@nestjs/common';
import { type Connection } from 'mongoose';
import { type TributaryConfig } from '@tributary/config';
import { type Producer } from 'kafkajs';
import { KafkaAdmin, KafkaModule } from '@tributary/kafka';
import { MetricsModule } from '@tributary/metrics';
import {
  HealthModule,
  kafkaReadiness,
  MONGO_CONNECTION,
  mongoReadiness,
  READINESS_CHECKS,
  registryReadiness,
} from '@tributary/platform';
import { AuthModule } from './auth/auth.module';
import { GatewayConfigModule } from './config/gateway-config.module';
import { type GatewayOptions } from './config/gateway.options';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { GatewayLifecycle } from './lifecycle';
import { ProjectionModule } from './read-model/projection/projection.module';
import { ReadModelModule } from './read-model/read-model.module';
import { StreamsModule } from './streams/streams.module';
import { InFlightModule } from './submission/in-flight.module';
import { SubmissionModule } from './submission/submission.module';
import { WebhookDeliveryModule } from './webhooks/webhook-delivery.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface GatewayModuleOptions {
  readonly config: TributaryConfig;
  readonly options: GatewayOptions;
  readonly logger: LoggerService;
  /** An existing kafkajs producer for the EventProducer (it must be idempotent). */
  readonly kafkaProducer?: Producer;
}

/** The gateway's consumer groups, each a module of its own; options can turn each off. */
function consumerGroups(options: GatewayOptions): { group: string; module: Type }[] {
  return [
    { ...options.projection, module: ProjectionModule },
    { ...options.inFlight, module: InFlightModule },
    { ...options.webhooks, module: WebhookDeliveryModule },
    { ...options.deadlines, module: DeadlinesModule },
  ].filter((group) => group.enabled);
}

/**
 * The gateway: its features (the HTTP API, one module per stage of a task) and its consumer
 * groups, over the Kafka runtime (topics, schemas, producer, consumers), MongoDB, health checks and
 * `/metrics`.
 */
@Module({})
export class GatewayModule {
  static forRoot({ config, options, logger, kafkaProducer }: GatewayModuleOptions): DynamicModule {
    const groups = consumerGroups(options);
    return {
      module: GatewayModule,
      imports: [
        GatewayConfigModule.forRoot(config, options),
        KafkaModule.forRoot({
          config,
          groups: groups.map((g) => g.group),
          logger,
          ...(kafkaProducer ? { producer: kafkaProducer } : {}),
        }),
        MetricsModule.forRoot(config.metrics),
        HealthModule.register({
          provide: READINESS_CHECKS,
          useFactory: (admin: KafkaAdmin, mongo: Connection) => [
            kafkaReadiness(() => admin.connected()),
            registryReadiness(config),
            mongoReadiness(mongo),
          ],
          inject: [KafkaAdmin, MONGO_CONNECTION],
        }),
        AuthModule,
        SubmissionModule,
        ReadModelModule,
        StreamsModule,
        WebhooksModule,
        ...groups.map((g) => g.module),
      ],
      providers: [GatewayLifecycle],
    };
  }
}

import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  type LoggerService,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import {
  ALL_TOPICS,
  deadLetterTopic,
  inNamespace,
  namespacedName,
  retryTopic,
  type TopicDefinition,
} from '@tributary/contracts';
import { type Kafka, type Producer } from 'kafkajs';
import { KAFKA_ADMIN, KafkaAdmin } from './admin';
import { createKafkaClient, KAFKA_CLIENT } from './client';
import { errorMessage } from './errors';
import { ParallelConsumer, type ParallelConsumerOptions } from './consumer';
import { EventProducer } from './producer';
import { createRegistrySerializer, EVENT_SERIALIZER, type EventSerializer } from './serializer';
import { KafkaTransport, type KafkaTransportOptions } from './transport';

export interface KafkaModuleOptions {
  readonly config: TributaryConfig;
  /** Topics whose schemas are registered and which are created at start-up; default: the whole catalogue. */
  readonly topics?: readonly TopicDefinition[];
  /** Consumer groups this service runs: their retry and dead-letter topics are created at start-up too. */
  readonly groups?: readonly string[];
  /** Replaces the registry-backed serializer (tests). */
  readonly serializer?: EventSerializer;
  /** An existing kafkajs producer for the EventProducer (it must be idempotent); one is created otherwise. */
  readonly producer?: Producer;
  readonly logger?: LoggerService;
}

export const KAFKA_MODULE_OPTIONS = Symbol('KAFKA_MODULE_OPTIONS');

/** What a consumer needs beyond what the module already has. */
export type ConsumerSettings = Pick<ParallelConsumerOptions, 'group'> &
  Partial<Omit<ParallelConsumerOptions, 'group' | 'kafka' | 'serializer' | 'producer' | 'replication'>>;

export type TransportSettings = ConsumerSettings & Pick<KafkaTransportOptions, 'topics'>;

/**
 * The module's lifecycle and a factory for transports and consumers wired to its client,
 * serializer and producer. Start-up creates missing topics, registers the schemas and connects
 * the producer; shutdown stops the consumers it made (before Nest closes the transports), then
 * disconnects the producer last, so draining handlers can still emit.
 */
@Injectable()
export class KafkaRuntime implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly consumers: ParallelConsumer[] = [];

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(EVENT_SERIALIZER) private readonly serializer: EventSerializer,
    @Inject(EventProducer) private readonly producer: EventProducer,
    @Inject(KafkaAdmin) private readonly admin: KafkaAdmin,
  ) {}

  async onModuleInit(): Promise<void> {
    const { config } = this.options;
    const { namespace } = config;
    const topics = ((this.options.topics ?? ALL_TOPICS) as readonly TopicDefinition[]).map((topic) =>
      inNamespace(topic, namespace),
    );
    const partitions = config.kafka.partitions;
    await this.admin.ensureTopics([
      ...topics.map((topic) => ({ name: topic.name, partitions })),
      ...(this.options.groups ?? []).flatMap((group) => [
        { name: namespacedName(retryTopic(group), namespace), partitions },
        { name: namespacedName(deadLetterTopic(group), namespace), partitions },
      ]),
    ]);
    await this.serializer.register(topics);
    await this.producer.connect();
  }

  /** A Nest transport strategy for `app.connectMicroservice({ strategy })`. */
  transport(settings: TransportSettings): KafkaTransport {
    return new KafkaTransport(this.consumerOptions(settings));
  }

  /** A standalone key-parallel consumer (e.g. a projection); stopped with the application. */
  consumer(settings: ConsumerSettings): ParallelConsumer {
    const consumer = new ParallelConsumer(this.consumerOptions(settings));
    this.consumers.push(consumer);
    return consumer;
  }

  /** Stops every consumer; one that fails to stop is logged and does not keep the others (or what closes after) from stopping. */
  async beforeApplicationShutdown(): Promise<void> {
    const results = await Promise.allSettled(this.consumers.map((consumer) => consumer.stop()));
    for (const result of results)
      if (result.status === 'rejected')
        (this.options.logger ?? new Logger('KafkaRuntime')).error(
          `a consumer did not stop cleanly: ${errorMessage(result.reason)}`,
        );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  private consumerOptions<S extends ConsumerSettings>(settings: S): S & ParallelConsumerOptions {
    const { config, logger } = this.options;
    return {
      runtime: config.runtime,
      partitions: config.kafka.partitions,
      namespace: config.namespace,
      ...(logger ? { logger } : {}),
      ...settings,
      replication: config.kafka,
      kafka: this.kafka,
      serializer: this.serializer,
      producer: this.producer,
    };
  }
}

/**
 * `KafkaModule.forRoot({ config })` provides, globally: the kafkajs client (KAFKA_CLIENT), the
 * serializer (EVENT_SERIALIZER), the typed EventProducer, the KafkaAdmin (also as KAFKA_ADMIN) and
 * the KafkaRuntime. Inject them with explicit tokens: `@Inject(EventProducer)`.
 */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_MODULE_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          useFactory: () =>
            createKafkaClient(options.config, options.logger ? { logger: options.logger } : {}),
        },
        {
          provide: EVENT_SERIALIZER,
          useFactory: () =>
            options.serializer ??
            createRegistrySerializer(options.config, { clientId: options.config.kafka.clientId }),
        },
        {
          provide: EventProducer,
          useFactory: (kafka: Kafka, serializer: EventSerializer) =>
            new EventProducer(kafka, serializer, {
              service: options.config.service,
              namespace: options.config.namespace,
              ...(options.producer ? { producer: options.producer } : {}),
            }),
          inject: [KAFKA_CLIENT, EVENT_SERIALIZER],
        },
        {
          provide: KafkaAdmin,
          useFactory: (kafka: Kafka) => new KafkaAdmin(kafka, options.config.kafka),
          inject: [KAFKA_CLIENT],
        },
        { provide: KAFKA_ADMIN, useExisting: KafkaAdmin },
        KafkaRuntime,
      ],
      exports: [
        KAFKA_MODULE_OPTIONS,
        KAFKA_CLIENT,
        EVENT_SERIALIZER,
        EventProducer,
        KafkaAdmin,
        KAFKA_ADMIN,
        KafkaRuntime,
      ],
    };
  }
}

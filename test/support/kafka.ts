import { type LoggerService } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { type TopicDefinition } from '@tributary/contracts';
import {
  createKafkaClient,
  createRegistrySerializer,
  EventProducer,
  KafkaAdmin,
  ParallelConsumer,
  type ParallelConsumerOptions,
  type RegistrySerializer,
} from '@tributary/kafka';
import { type Consumer, type Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { uniqueName } from './env';
import { waitFor } from './wait';

/** A small event schema for runtime tests: each test registers it under a fresh topic name. */
export const TEST_EVENT_SCHEMA = {
  type: 'record',
  name: 'TestEvent',
  namespace: 'dev.tributary.test',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'seq', type: 'int' },
    { name: 'note', type: 'string' },
  ],
} as const;

export type TestTopic = TopicDefinition<typeof TEST_EVENT_SCHEMA>;

/** A topic definition with a fresh name (or the given one) and the test schema. */
export function testTopic(name = uniqueName('runtime')): TestTopic {
  return {
    name,
    schema: TEST_EVENT_SCHEMA,
    visibility: 'internal',
    schemaVersion: 1,
    summary: 'Runtime test events.',
    producedBy: ['tests'],
    consumedBy: ['tests'],
  };
}

/** Records what it is told and prints nothing: kafkajs and the runtime are chatty on purpose. */
export class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
}

/** Everything a runtime test needs against the real broker and registry, and one close() for it all. */
export class RuntimeHarness {
  readonly kafka: Kafka;
  readonly serializer: RegistrySerializer;
  readonly producer: EventProducer;
  readonly admin: KafkaAdmin;
  readonly logger = new RecordingLogger();
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(
    readonly config: TributaryConfig,
    options: { readonly logLevel?: logLevel } = {},
  ) {
    this.kafka = createKafkaClient(config, {
      logger: this.logger,
      logLevel: options.logLevel ?? logLevel.WARN,
      clientId: uniqueName('client'),
    });
    this.serializer = createRegistrySerializer(config);
    this.producer = new EventProducer(this.kafka, this.serializer, { service: 'tests' });
    this.admin = new KafkaAdmin(this.kafka, config.kafka);
  }

  /** Creates the topics (one partition unless the config says otherwise) and registers their schemas. */
  async prepare(...topics: TopicDefinition[]): Promise<void> {
    await this.admin.ensureTopics(
      topics.map((t) => ({ name: t.name, partitions: this.config.kafka.partitions })),
    );
    await this.serializer.register(topics);
  }

  consumer(
    options: Partial<ParallelConsumerOptions> & Pick<ParallelConsumerOptions, 'group'>,
  ): ParallelConsumer {
    const consumer = new ParallelConsumer({
      kafka: this.kafka,
      serializer: this.serializer,
      producer: this.producer,
      runtime: this.config.runtime,
      partitions: this.config.kafka.partitions,
      logger: this.logger,
      ...options,
      replication: options.replication ?? this.config.kafka,
    });
    this.closers.unshift(() => consumer.stop());
    return consumer;
  }

  onClose(closer: () => Promise<void>): void {
    this.closers.unshift(closer);
  }

  async close(): Promise<void> {
    for (const closer of this.closers) await closer().catch(() => undefined);
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  /** Reads a topic from the beginning with a throwaway group until `count` messages have arrived. */
  async readMessages(topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
    const messages: KafkaMessage[] = [];
    const consumer = this.kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          messages.push(message);
          return Promise.resolve();
        },
      });
      await waitFor(() => messages.length >= count, {
        timeoutMs,
        description: `${count} message(s) on ${topic}`,
      });
      return messages;
    } finally {
      await consumer.disconnect();
    }
  }

  /** The group's committed offset of one partition (-1 when none). */
  async committedOffset(group: string, topic: string, partition = 0): Promise<number> {
    const admin = await this.admin.connected();
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return Number(entry?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  }
}

/** Counts a kafkajs consumer's group joins (a join after the first is a rebalance). */
export function countGroupJoins(consumer: Consumer): { readonly count: number } {
  const counter = { count: 0 };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    counter.count += 1;
  });
  return counter;
}

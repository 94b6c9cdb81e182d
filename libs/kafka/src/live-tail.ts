import { randomUUID } from 'node:crypto';
import { type TopicDefinition } from '@tributary/contracts';
import { type Consumer, type Kafka, Partitioners } from 'kafkajs';
import { decodeRecord, type RangeRecord } from './read-range';
import { type EventSerializer } from './serializer';

export interface LiveTailOptions {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topics: readonly TopicDefinition[];
  /** The tail's group is `<groupPrefix>.<random>`: its own, so every process sees every event. */
  readonly groupPrefix: string;
}

export type TailListener = (record: RangeRecord<TopicDefinition>) => void;

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a key's events land on, as the producers pick it (kafkajs' default partitioner).
 * Every task topic has the same partition count, so a task's events are on the same partition of each.
 */
export function partitionOfKey(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}

/**
 * Follows topics from their current end, in one consumer per process, and hands the events of the
 * keys someone listens to (decoded; the others are skipped unread) to their listeners as they
 * arrive. It commits nothing and leaves no group behind: for live views such as a task's event
 * stream, where any number of clients cost one consumer. What happened before it started is read
 * with `readRanges`.
 */
export class LiveTail {
  private readonly listeners = new Map<string, Set<TailListener>>();
  private readonly byName: Map<string, TopicDefinition>;
  private readonly groupId: string;
  private consumer: Consumer | undefined;
  private joined: Promise<void> | undefined;

  constructor(private readonly options: LiveTailOptions) {
    this.byName = new Map(options.topics.map((topic) => [topic.name, topic]));
    this.groupId = `${options.groupPrefix}.${randomUUID()}`;
  }

  /** Listens to one key's events from now on; returns the function that stops listening. */
  listen(key: string, listener: TailListener): () => void {
    const set = this.listeners.get(key) ?? new Set<TailListener>();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  /** Joins the tail's group; every event published after it resolves is read. */
  async start(): Promise<void> {
    if (this.consumer) return this.joined;
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    this.joined = new Promise<void>((resolve) => {
      const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
        stop();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.byName.keys()], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (this.listeners.size === 0) return;
        const topic = this.byName.get(batch.topic);
        if (!topic) return;
        for (const message of batch.messages) {
          const key = message.key?.toString();
          const listeners = key === undefined ? undefined : this.listeners.get(key);
          if (!listeners) continue;
          const record = await decodeRecord(this.options.serializer, topic, batch.partition, message);
          for (const listener of listeners) listener(record);
        }
      },
    });
    await this.joined;
    // A new group's first fetch starts "at the end" whenever it gets to it: seek to the end as of
    // now, so every event published after start() resolves is read.
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      for (const topic of this.byName.keys())
        for (const { partition, high } of await admin.fetchTopicOffsets(topic))
          consumer.seek({ topic, partition, offset: high });
    } finally {
      await admin.disconnect();
    }
  }

  /** Leaves and deletes the tail's group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    await consumer.disconnect();
    const admin = this.options.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

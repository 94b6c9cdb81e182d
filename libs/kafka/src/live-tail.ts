import { topicOffsets } from './admin';
import { randomUUID } from 'node:crypto';
import { type TopicDefinition } from '@tributary/contracts';
import { type Consumer, type Kafka, type KafkaMessage, Partitioners } from 'kafkajs';
import { decodeRecord, type RangeRecord } from './read-range';
import { type EventSerializer } from './serializer';

export interface LiveTailOptions {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topics: readonly TopicDefinition[];
  /** The tail's group is `<groupPrefix>.<random>`: its own, so every process sees every event. */
  readonly groupPrefix: string;
  /**
   * How long the tail keeps every record it reads, raw (decoded only when asked for), so `recent()`
   * can answer a key's history from memory; 0 keeps nothing.
   */
  readonly retainMs?: number;
  /** At most this many bytes of record values are kept; the oldest go first. */
  readonly retainBytes?: number;
  /** How long an idle fetch waits at the broker (new records end it at once); default 1 s. */
  readonly fetchMaxWaitMs?: number;
}

export type TailListener = (record: RangeRecord<TopicDefinition>) => void;

const partitioner = Partitioners.DefaultPartitioner();

/** Records kept are grouped by arrival into this many slices of the retention time, dropped a slice at a time. */
const SLICES = 12;

interface Retained {
  readonly topic: TopicDefinition;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** The records that arrived from `start` on (until the next slice's start), by key. */
interface Slice {
  readonly start: number;
  readonly byKey: Map<string, Retained[]>;
  bytes: number;
}

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
  private readonly slices: Slice[] = [];
  private retainedBytes = 0;
  /** Every record that arrived from this instant on is kept (Infinity: none yet, or nothing is kept). */
  private coveredFrom = Number.POSITIVE_INFINITY;

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
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 1_000,
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
        const topic = this.byName.get(batch.topic);
        if (!topic) return;
        const retain = this.retaining();
        if (!retain && this.listeners.size === 0) return;
        for (const message of batch.messages) {
          const key = message.key?.toString();
          if (key === undefined) continue;
          if (retain) this.retain(key, { topic, partition: batch.partition, message });
          const listeners = this.listeners.get(key);
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
        for (const { partition, high } of await topicOffsets(admin, topic))
          consumer.seek({ topic, partition, offset: high });
    } finally {
      await admin.disconnect();
    }
    if (this.retaining()) this.coveredFrom = Date.now();
  }

  /**
   * The key's records the tail holds, decoded, in arrival order: every one that arrived since
   * `since`, and perhaps earlier ones; undefined when it may not hold all of those (it started
   * later, or has dropped records that arrived after `since`). A
   * record may also reach a listener registered before this call: callers drop repeats by event id.
   */
  async recent(key: string, since: Date): Promise<RangeRecord<TopicDefinition>[] | undefined> {
    this.evict(Date.now());
    if (since.getTime() < this.coveredFrom) return undefined;
    const kept = this.slices.flatMap((slice) => slice.byKey.get(key) ?? []);
    return Promise.all(
      kept.map(({ topic, partition, message }) =>
        decodeRecord(this.options.serializer, topic, partition, message),
      ),
    );
  }

  private retaining(): boolean {
    return (this.options.retainMs ?? 0) > 0;
  }

  private retain(key: string, record: Retained): void {
    const now = Date.now();
    const span = (this.options.retainMs ?? 0) / SLICES;
    let slice = this.slices[this.slices.length - 1];
    if (!slice || now - slice.start >= span) {
      slice = { start: now, byKey: new Map(), bytes: 0 };
      this.slices.push(slice);
    }
    const list = slice.byKey.get(key);
    if (list) list.push(record);
    else slice.byKey.set(key, [record]);
    const bytes = (record.message.value?.length ?? 0) + key.length;
    slice.bytes += bytes;
    this.retainedBytes += bytes;
    this.evict(now);
  }

  /** Drops slices older than the retention time, or the oldest while over the byte budget. */
  private evict(now: number): void {
    const retainMs = this.options.retainMs ?? 0;
    const budget = this.options.retainBytes ?? Number.POSITIVE_INFINITY;
    while (this.slices.length > 0) {
      const oldest = this.slices[0]!;
      const next = this.slices[1];
      const overBudget = this.retainedBytes > budget && next !== undefined;
      if (!overBudget && oldest.start >= now - retainMs) return;
      this.slices.shift();
      this.retainedBytes -= oldest.bytes;
      // What arrived before the next slice began is gone (everything, if no slice is left).
      this.coveredFrom = Math.max(this.coveredFrom, next?.start ?? now);
    }
  }

  /** Leaves and deletes the tail's group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    this.slices.length = 0;
    this.retainedBytes = 0;
    this.coveredFrom = Number.POSITIVE_INFINITY;
    await consumer.disconnect();
    const admin = this.options.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

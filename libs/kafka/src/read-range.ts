import { topicOffsets } from './admin';
import { randomUUID } from 'node:crypto';
import {
  type Envelope,
  envelopeFromHeaders,
  type EventValue,
  type TopicDefinition,
} from '@tributary/contracts';
import { type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { DecodeError, type TributaryError } from './errors';
import { decodeUntyped, type EventSerializer } from './serializer';

/** Where to read, in every partition of every topic read. */
interface RangeBounds {
  /** First offset to read (inclusive), in every partition; default: the earliest kept. */
  readonly fromOffset?: number;
  /** Last offset to read (inclusive), in every partition; default: the end when the read started. */
  readonly toOffset?: number;
  /** Start at the first record at or after this instant (per partition); combined with fromOffset, the later wins. */
  readonly fromTime?: Date;
  /**
   * Stop before the first record at or after this instant (per partition, by the broker's time index,
   * as `fromTime`); combined with toOffset, the earlier wins.
   */
  readonly toTime?: Date;
  /** Only these partitions; default all. */
  readonly partitions?: readonly number[];
  /** Only records with these keys are decoded and yielded (the others are skipped unread); default all. */
  readonly keys?: ReadonlySet<string>;
  /** Records buffered ahead of the reader. */
  readonly bufferSize?: number;
  /**
   * Most bytes one fetch returns (kafkajs' maxBytes, 10 MB by default), and per partition (1 MB): a
   * fetch is decoded into messages all at once, so these bound the memory a read needs besides its buffer.
   */
  readonly fetchMaxBytes?: number;
  readonly fetchMaxBytesPerPartition?: number;
  /** Told, before the first record, which offsets of which partitions the read covers (for progress). */
  readonly onPlan?: (plan: readonly PartitionRange[]) => void;
  /** Told how many records of the range were fetched, key filter or not (for progress). */
  readonly onScanned?: (count: number) => void;
}

/** One partition's part of a read: offsets `start` (inclusive) to `end` (exclusive). */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly start: number;
  readonly end: number;
}

export interface ReadRangeOptions<T extends TopicDefinition> extends RangeBounds {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topic: T;
}

export interface ReadRangesOptions extends RangeBounds {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topics: readonly TopicDefinition[];
}

export interface ReadRawRangesOptions extends RangeBounds {
  readonly kafka: Kafka;
  /** Topic names: raw reads need no schema (retry and dead-letter topics hold other topics' bytes). */
  readonly topics: readonly string[];
}

interface RecordBase {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly timestamp: string;
  readonly headers: IHeaders;
  /** Undefined when the headers are not a valid envelope. */
  readonly envelope: Envelope | undefined;
}

/** A record of the range: decoded, or with the reason it could not be. */
export type RangeRecord<T extends TopicDefinition> =
  | (RecordBase & { readonly ok: true; readonly value: EventValue<T> })
  | (RecordBase & { readonly ok: false; readonly error: TributaryError });

function envelopeOrUndefined(headers: IHeaders | undefined): Envelope | undefined {
  try {
    return envelopeFromHeaders(headers);
  } catch {
    return undefined;
  }
}

/**
 * Reads a range of a topic, decoded through the serializer, in offset order per partition (the
 * partitions interleave), then ends: for analysts and for rebuilding a projection.
 *
 * It commits nothing and disturbs no consumer group. kafkajs has no manual partition assignment,
 * so the read uses a throwaway group of its own (`tributary.read-range.<uuid>`), deleted at the end.
 */
export async function* readRange<T extends TopicDefinition>(
  options: ReadRangeOptions<T>,
): AsyncGenerator<RangeRecord<T>> {
  const { topic, ...rest } = options;
  for await (const batch of readRanges({ ...rest, topics: [topic] }))
    yield* batch.records as RangeRecord<T>[];
}

/** Consecutive records of one partition of one topic. */
export interface RangeBatch {
  readonly topic: TopicDefinition;
  readonly partition: number;
  readonly records: readonly RangeRecord<TopicDefinition>[];
  /**
   * The lowest Kafka timestamp (epoch ms) a later batch can be expected to start from: the minimum,
   * over the partitions whose range is not read to its end yet, of the last timestamp read from each
   * (-Infinity while one has yielded nothing, Infinity once all are done). Kafka timestamps are the
   * producers' clocks, so this is a good guess, not a promise: a record can carry an older timestamp.
   */
  readonly watermark: number;
}

/** Consecutive raw messages of one partition of one topic, undecoded. */
export interface RawRangeBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** As {@link RangeBatch.watermark}. */
  readonly watermark: number;
}

interface RawBatch {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** The last batch of its partition's range. */
  readonly ends: boolean;
}

/**
 * `readRange` for several topics at once, a batch at a time: one throwaway group and one consumer
 * for all of them (one group join, one fetch loop), and no per-record hand-over. The fetch loop
 * only queues the raw messages of its range; they are decoded here, while kafkajs fetches the next
 * ones. A batch holds records of one partition in offset order; partitions and topics interleave.
 */
export async function* readRanges(options: ReadRangesOptions): AsyncGenerator<RangeBatch> {
  const { serializer, topics } = options;
  const byName = new Map(topics.map((topic) => [topic.name, topic]));
  for await (const batch of readRawRanges({ ...options, topics: [...byName.keys()] })) {
    const topic = byName.get(batch.topic)!;
    const records = await Promise.all(
      batch.messages.map((message) => decodeRecord(serializer, topic, batch.partition, message)),
    );
    yield { topic, partition: batch.partition, records, watermark: batch.watermark };
  }
}

/**
 * The offsets a read covers, per partition: from the earliest kept record (or `fromOffset`, or the
 * first record at `fromTime`) to the end at the time of the call (or `toOffset`, or the first record
 * at `toTime`). Partitions with nothing in range are left out.
 */
export async function planRanges(
  admin: Admin,
  topics: readonly string[],
  options: RangeBounds,
): Promise<PartitionRange[]> {
  const ranges: PartitionRange[] = [];
  const byTime = async (topic: string, at: Date | undefined) =>
    at === undefined
      ? undefined
      : new Map(
          (await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime())).map((p) => [
            p.partition,
            Number(p.offset),
          ]),
        );
  for (const topic of topics) {
    const watermarks = await topicOffsets(admin, topic);
    const from = await byTime(topic, options.fromTime);
    const to = await byTime(topic, options.toTime);
    for (const { partition, low, high } of watermarks) {
      if (options.partitions && !options.partitions.includes(partition)) continue;
      const start = Math.max(Number(low), options.fromOffset ?? 0, from?.get(partition) ?? 0);
      // A time past every record resolves to -1 or the high watermark: either way, read to the end.
      const untilTime = to?.get(partition);
      const end = Math.min(
        Number(high),
        options.toOffset === undefined ? Infinity : options.toOffset + 1,
        untilTime === undefined || untilTime < 0 ? Infinity : untilTime,
      );
      if (start < end) ranges.push({ topic, partition, start, end });
    }
  }
  return ranges;
}

/**
 * `readRanges` without decoding: the raw messages of a range of several topics, for topics whose
 * values have no one schema (retry and dead-letter topics) and for callers that decode themselves.
 * Same guarantees: nothing committed, no group disturbed, a throwaway group deleted at the end.
 */
export async function* readRawRanges(options: ReadRawRangesOptions): AsyncGenerator<RawRangeBatch> {
  const { kafka, topics } = options;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `tributary.read-range.${randomUUID()}`;
  try {
    const plan = await planRanges(admin, topics, options);
    options.onPlan?.(plan);
    /** Keyed `<topic>\u0000<partition>`. */
    const bounds = new Map(plan.map((range) => [`${range.topic}\u0000${range.partition}`, range]));
    if (bounds.size === 0) return;

    const capacity = options.bufferSize ?? 5_000;
    const queue: RawBatch[] = [];
    let queued = 0;
    let failure: Error | undefined;
    let finished = false;
    let wakeReader: (() => void) | undefined;
    let wakeWriter: (() => void) | undefined;
    const wake = () => {
      wakeReader?.();
      wakeReader = undefined;
    };
    const remaining = new Set(bounds.keys());

    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      ...(options.fetchMaxBytes === undefined ? {} : { maxBytes: options.fetchMaxBytes }),
      ...(options.fetchMaxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.fetchMaxBytesPerPartition }),
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      failure = event.payload.error;
      wake();
    });
    await consumer.connect();
    try {
      await consumer.subscribe({
        topics: [...new Set(plan.map((range) => range.topic))],
        fromBeginning: true,
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const key = `${batch.topic}\u0000${batch.partition}`;
          const range = bounds.get(key);
          if (!range || !remaining.has(key)) return;
          while (queued >= capacity && !finished && payload.isRunning()) {
            await new Promise<void>((resolve) => (wakeWriter = resolve));
            await payload.heartbeat();
          }
          if (finished || !payload.isRunning()) return;
          const messages = batch.messages.filter((message) => {
            const offset = Number(message.offset);
            return offset >= range.start && offset < range.end;
          });
          const ends = Number(batch.lastOffset()) >= range.end - 1;
          if (messages.length > 0 || ends) {
            queue.push({ key, topic: batch.topic, partition: batch.partition, messages, ends });
            queued += messages.length;
          }
          if (ends) remaining.delete(key);
          wake();
        },
      });
      // Start each partition at its range, whatever the throwaway group's default position was.
      for (const { topic, partition, start } of bounds.values())
        consumer.seek({ topic, partition, offset: String(start) });

      // The last timestamp yielded of each partition whose range is not yielded to its end.
      const open = new Map<string, number>([...bounds.keys()].map((key) => [key, -Infinity]));
      for (;;) {
        const next = queue.shift();
        if (next) {
          queued -= next.messages.length;
          wakeWriter?.();
          wakeWriter = undefined;
          if (next.ends) open.delete(next.key);
          else if (next.messages.length > 0) open.set(next.key, Number(next.messages.at(-1)!.timestamp));
          let watermark = Infinity;
          for (const at of open.values()) watermark = Math.min(watermark, at);
          if (next.messages.length > 0) options.onScanned?.(next.messages.length);
          const { keys } = options;
          const messages = keys
            ? next.messages.filter((m) => keys.has(m.key?.toString() ?? ''))
            : next.messages;
          if (messages.length > 0 || open.size === 0)
            yield { topic: next.topic, partition: next.partition, messages, watermark };
          continue;
        }
        if (failure) throw failure;
        if (remaining.size === 0) return;
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    } finally {
      finished = true;
      wakeWriter?.();
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** One fetched message as a range record: decoded with its topic's schema, or with the reason it could not be. */
export async function decodeRecord(
  serializer: EventSerializer,
  topic: TopicDefinition,
  partition: number,
  message: KafkaMessage,
): Promise<RangeRecord<TopicDefinition>> {
  const base: RecordBase = {
    topic: topic.name,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    timestamp: message.timestamp,
    headers: message.headers ?? {},
    envelope: envelopeOrUndefined(message.headers),
  };
  try {
    if (message.value === null) throw new DecodeError('tombstone', { topic: topic.name });
    const value = (await decodeUntyped(serializer, topic, message.value)) as EventValue<TopicDefinition>;
    return { ...base, ok: true, value };
  } catch (error) {
    return { ...base, ok: false, error: error as TributaryError };
  }
}

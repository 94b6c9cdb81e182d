import { randomUUID } from 'node:crypto';
import {
  type Envelope,
  envelopeFromHeaders,
  type EventValue,
  type TopicDefinition,
} from '@tributary/contracts';
import { type IHeaders, type Kafka } from 'kafkajs';
import { DecodeError, type TributaryError } from './errors';
import { decodeUntyped, type EventSerializer } from './serializer';

export interface ReadRangeOptions<T extends TopicDefinition> {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topic: T;
  /** First offset to read (inclusive), in every partition; default: the earliest kept. */
  readonly fromOffset?: number;
  /** Last offset to read (inclusive), in every partition; default: the end when the read started. */
  readonly toOffset?: number;
  /** Start at the first record at or after this instant (per partition); combined with fromOffset, the later wins. */
  readonly fromTime?: Date;
  /** Only these partitions; default all. */
  readonly partitions?: readonly number[];
  /** Records buffered ahead of the reader. */
  readonly bufferSize?: number;
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
  const { kafka, serializer, topic } = options;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `tributary.read-range.${randomUUID()}`;
  try {
    const bounds = new Map<number, { start: number; end: number }>();
    const watermarks = await admin.fetchTopicOffsets(topic.name);
    const byTime = options.fromTime
      ? new Map(
          (await admin.fetchTopicOffsetsByTimestamp(topic.name, options.fromTime.getTime())).map((p) => [
            p.partition,
            Number(p.offset),
          ]),
        )
      : undefined;
    for (const { partition, low, high } of watermarks) {
      if (options.partitions && !options.partitions.includes(partition)) continue;
      const start = Math.max(Number(low), options.fromOffset ?? 0, byTime?.get(partition) ?? 0);
      const end = Math.min(Number(high), options.toOffset === undefined ? Infinity : options.toOffset + 1);
      if (start < end) bounds.set(partition, { start, end });
    }
    if (bounds.size === 0) return;

    const capacity = options.bufferSize ?? 500;
    const buffer: RangeRecord<T>[] = [];
    let failure: Error | undefined;
    let finished = false;
    let wakeReader: (() => void) | undefined;
    let wakeWriter: (() => void) | undefined;
    const wake = () => {
      wakeReader?.();
      wakeReader = undefined;
    };
    const remaining = new Set(bounds.keys());

    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      failure = event.payload.error;
      wake();
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic.name], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const range = bounds.get(batch.partition);
          if (!range || !remaining.has(batch.partition)) return;
          for (const message of batch.messages) {
            if (!payload.isRunning()) return;
            const offset = Number(message.offset);
            if (offset < range.start) continue;
            if (offset >= range.end) break;
            while (buffer.length >= capacity && !finished) {
              await new Promise<void>((resolve) => (wakeWriter = resolve));
              await payload.heartbeat();
            }
            if (finished) return;
            const base: RecordBase = {
              topic: topic.name,
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              timestamp: message.timestamp,
              headers: message.headers ?? {},
              envelope: envelopeOrUndefined(message.headers),
            };
            try {
              if (message.value === null) throw new DecodeError('tombstone', { topic: topic.name });
              const value = (await decodeUntyped(serializer, topic, message.value)) as EventValue<T>;
              buffer.push({ ...base, ok: true, value });
            } catch (error) {
              buffer.push({ ...base, ok: false, error: error as TributaryError });
            }
            wake();
          }
          if (Number(batch.lastOffset()) >= range.end - 1) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) wake();
          }
        },
      });
      // Start each partition at its range, whatever the throwaway group's default position was.
      for (const [partition, { start }] of bounds)
        consumer.seek({ topic: topic.name, partition, offset: String(start) });

      for (;;) {
        const next = buffer.shift();
        if (next) {
          wakeWriter?.();
          wakeWriter = undefined;
          yield next;
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

import { ALL_TOPICS, type TopicDefinition } from '@tributary/contracts';
import {
  type EventSerializer,
  type LiveTail,
  partitionOfKey,
  type RangeRecord,
  readRanges,
} from '@tributary/kafka';
import { type Kafka } from 'kafkajs';
import { type TaskEventSource } from './task-log-stream';

/** Producers' clocks and the broker's differ a little: the history read starts this much earlier. */
const CLOCK_SKEW_MS = 60_000;
/** The tail's memory answers for a task accepted at least this long after it began to keep everything. */
const MEMORY_MARGIN_MS = 5_000;

/**
 * A task's events from Kafka: live from this process's tail (one consumer for every stream), and
 * its history from the tail's memory when the task is recent enough for it to hold all of them
 * (no Kafka request), else read from the one partition its key lands on in each topic, from a
 * little before the task was accepted, decoding only its own events.
 */
export class KafkaTaskEvents implements TaskEventSource {
  private listeners = 0;

  constructor(
    private readonly tail: LiveTail,
    private readonly kafka: Kafka,
    private readonly serializer: EventSerializer,
    private readonly partitions: number,
  ) {}

  listen(taskId: string, listener: (record: RangeRecord<TopicDefinition>) => void): () => void {
    const stop = this.tail.listen(taskId, listener);
    this.listeners += 1;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.listeners -= 1;
      stop();
    };
  }

  /** How many streams listen to the tail now (each open stream is one). */
  get listening(): number {
    return this.listeners;
  }

  async history(taskId: string, since: Date): Promise<RangeRecord<TopicDefinition>[]> {
    const recent = await this.tail.recent(taskId, new Date(since.getTime() - MEMORY_MARGIN_MS));
    if (recent) return recent;
    const records: RangeRecord<TopicDefinition>[] = [];
    for await (const batch of readRanges({
      kafka: this.kafka,
      serializer: this.serializer,
      topics: ALL_TOPICS,
      fromTime: new Date(since.getTime() - CLOCK_SKEW_MS),
      partitions: [partitionOfKey(taskId, this.partitions)],
      keys: new Set([taskId]),
    }))
      records.push(...batch.records);
    return records;
  }
}

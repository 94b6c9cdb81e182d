import { type Consumer } from 'kafkajs';

/** Queued messages per concurrency slot before fetching pauses. Messages are small; the queue is a priority window. */
export const READ_AHEAD_FACTOR = 16;

/**
 * Fetch sizes follow the read-ahead window instead of kafkajs' defaults (10 MiB per fetch, 1 MiB per
 * partition): a fetch brings at most `maxPending` messages' worth (at a generous 4 KiB each), between
 * 1 and 10 MiB. Whatever a fetch brings beyond the window is dropped and fetched again later, and a
 * message kept (a retry waiting for its due time) keeps its whole fetch response alive: a gateway
 * starting on a webhook retry backlog had about 20 MB more resident memory with 10 MiB responses. A
 * larger message still arrives: the broker returns a partition's first batch even when it is larger
 * than the limits (KIP-74).
 */
const FETCH_BYTES_PER_MESSAGE = 4 * 1024;
const MIN_FETCH_BYTES = 1024 * 1024;
const MAX_FETCH_BYTES = 10 * 1024 * 1024;

export function fetchMaxBytes(maxPending: number): { maxBytes: number; maxBytesPerPartition: number } {
  const maxBytes = Math.min(MAX_FETCH_BYTES, Math.max(MIN_FETCH_BYTES, maxPending * FETCH_BYTES_PER_MESSAGE));
  return { maxBytes, maxBytesPerPartition: Math.max(MIN_FETCH_BYTES / 4, Math.floor(maxBytes / 4)) };
}

export interface FlowControlOptions {
  /** In-flight plus queued messages at which every topic pauses. */
  readonly maxPending: number;
  /** Retry messages waiting for their due time at which the retry topic pauses. */
  readonly maxDelayed: number;
  readonly retryTopic: string;
  readonly consumer: Pick<Consumer, 'pause' | 'resume'>;
}

/** What the consumer holds when flow control looks. */
export interface Load {
  /** Messages running or queued for a concurrency slot. */
  readonly pending: number;
  /** Retry messages waiting for their due time. */
  readonly delayed: number;
  /** Shutdown has begun: every topic pauses. */
  readonly stopping: boolean;
}

/**
 * Back-pressure by pausing topics: every topic while too much is pending, the retry topic while
 * too many retries wait. Limits have hysteresis (pause at the limit, resume at half), so the
 * consumer does not flap at the boundary. Single partitions are paused while a message of theirs is
 * held (retried in place after a transient failure).
 *
 * kafkajs keeps one pause state per topic: pausing or resuming a whole topic forgets its paused
 * partitions, so this class owns every pause and re-applies the partition pauses after a topic's.
 */
export class FlowControl {
  private topics: readonly string[] = [];
  private readonly pausedTopics = new Set<string>();
  /** Partitions held, by topic: wanted paused. */
  private readonly heldPartitions = new Map<string, Set<number>>();
  /** Partitions paused in kafkajs, by topic, while their topic as a whole is not. */
  private readonly pausedPartitions = new Map<string, Set<number>>();
  private pausedForPending = false;
  private pausedForDelayed = false;

  constructor(private readonly options: FlowControlOptions) {}

  /** The topics to pause and resume: the subscribed ones. */
  control(topics: readonly string[]): void {
    this.topics = topics;
  }

  /** Whether a fetched message may still be taken in; past the limit it is fetched again later. */
  hasRoom(pending: number): boolean {
    return pending < this.options.maxPending;
  }

  /** Whether messages fetched from this topic (or this partition of it) are to be left for later. */
  isPaused(topic: string, partition?: number): boolean {
    if (this.pausedTopics.has(topic)) return true;
    return partition !== undefined && this.heldPartitions.get(topic)?.has(partition) === true;
  }

  /** Pauses one partition until `release`; takes effect at the next `apply`. */
  hold(topic: string, partition: number): void {
    let held = this.heldPartitions.get(topic);
    if (!held) {
      held = new Set();
      this.heldPartitions.set(topic, held);
    }
    held.add(partition);
  }

  release(topic: string, partition: number): void {
    const held = this.heldPartitions.get(topic);
    held?.delete(partition);
    if (held?.size === 0) this.heldPartitions.delete(topic);
  }

  apply(load: Load): void {
    const { maxPending, maxDelayed, retryTopic, consumer } = this.options;
    if (load.pending >= maxPending) this.pausedForPending = true;
    else if (load.pending <= Math.floor(maxPending / 2)) this.pausedForPending = false;
    if (load.delayed >= maxDelayed) this.pausedForDelayed = true;
    else if (load.delayed <= Math.floor(maxDelayed / 2)) this.pausedForDelayed = false;

    for (const topic of this.topics) {
      const whole = load.stopping || this.pausedForPending || (topic === retryTopic && this.pausedForDelayed);
      if (whole !== this.pausedTopics.has(topic)) {
        if (whole) {
          this.pausedTopics.add(topic);
          consumer.pause([{ topic }]);
        } else {
          this.pausedTopics.delete(topic);
          consumer.resume([{ topic }]);
        }
        this.pausedPartitions.delete(topic);
      }
      if (!whole) this.applyPartitions(topic);
    }
  }

  /** Pauses are per topic in kafkajs and survive a new assignment; this re-asserts ours anyway. */
  reassert(): void {
    for (const topic of this.pausedTopics) this.options.consumer.pause([{ topic }]);
    for (const [topic, partitions] of this.pausedPartitions)
      if (!this.pausedTopics.has(topic))
        this.options.consumer.pause([{ topic, partitions: [...partitions] }]);
  }

  private applyPartitions(topic: string): void {
    const wanted = this.heldPartitions.get(topic) ?? new Set<number>();
    const applied = this.pausedPartitions.get(topic) ?? new Set<number>();
    const pause = [...wanted].filter((partition) => !applied.has(partition));
    const resume = [...applied].filter((partition) => !wanted.has(partition));
    if (pause.length > 0) this.options.consumer.pause([{ topic, partitions: pause }]);
    if (resume.length > 0) this.options.consumer.resume([{ topic, partitions: resume }]);
    if (wanted.size === 0) this.pausedPartitions.delete(topic);
    else this.pausedPartitions.set(topic, new Set(wanted));
  }
}

import { type PartitionState } from './work';

export interface PartitionMetrics {
  readonly topic: string;
  readonly partition: number;
  /** The offset committed (or about to be): the lowest one not finished. */
  readonly committed: number;
  readonly highWatermark: number;
  readonly lag: number;
  /** Fetched messages of this partition not finished yet (queued, running or waiting to retry). */
  readonly unfinished: number;
}

export interface ConsumerMetrics {
  readonly inFlight: number;
  readonly queued: number;
  /** Retry messages waiting for their due time (they hold no concurrency slot). */
  readonly delayed: number;
  /** Messages retried in place after a transient failure (failure policy `hold-partition`); they hold their slot. */
  readonly held: number;
  readonly handled: number;
  readonly retried: number;
  readonly deadLettered: number;
  /** Messages copied to the retry topic because their handler deferred them (`delivery.defer`). */
  readonly deferred: number;
  readonly partitions: readonly PartitionMetrics[];
  readonly paused: readonly { topic: string; partitions: number[] }[];
}

export function partitionMetrics(partitions: Iterable<PartitionState>): PartitionMetrics[] {
  const metrics: PartitionMetrics[] = [];
  for (const state of partitions) {
    const committed = state.tracker.committed;
    metrics.push({
      topic: state.topic,
      partition: state.partition,
      committed,
      highWatermark: state.highWatermark,
      lag: Math.max(0, state.highWatermark - committed),
      unfinished: state.tracker.unfinished,
    });
  }
  return metrics;
}

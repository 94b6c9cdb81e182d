import { type LoggerService } from '@nestjs/common';
import { errorMessage } from '../errors';
import { type PartitionState } from './work';

/** Whether a commit attempt is settled or should be tried again soon. */
export type CommitOutcome = 'done' | 'again';

export interface CommitCoalescerOptions {
  /** How long after a request the commit runs; requests in between share it. */
  readonly delayMs: number;
  /** Commits also run on this period, whatever is requested. */
  readonly intervalMs: number;
  readonly commit: () => Promise<CommitOutcome>;
}

/**
 * Coalesces commit requests: at most one commit runs at a time, requests that arrive within
 * `delayMs` (or while a commit runs) share the next one, and a periodic commit catches anything
 * else. Completions are frequent; a commit is a round trip to the group coordinator.
 */
export class CommitCoalescer {
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: CommitCoalescerOptions) {}

  /** Starts the periodic commit. */
  start(): void {
    this.ticker = setInterval(() => void this.now(), this.options.intervalMs);
    this.ticker.unref();
  }

  /** Asks for a commit within `delayMs`. */
  soon(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, this.options.delayMs);
  }

  /** Commits now, or, while a commit runs, once more soon after it. */
  now(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.attempt().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.soon();
      }
    });
    return this.running;
  }

  /** Stops the timers, waits for a running commit, then commits one last time. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.options.commit();
  }

  private async attempt(): Promise<void> {
    if ((await this.options.commit()) === 'again') this.again = true;
  }
}

/** kafkajs error types that mean "this member's generation is over": the partition state must be re-read. */
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
]);

export function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type);
}

export type CommitOffsets = (
  offsets: { topic: string; partition: number; offset: string }[],
) => Promise<void>;

/**
 * Commits every owned partition's lowest unfinished offset that moved, in one request. A commit
 * refused because the group is rebalancing is not tried again: the next assignment commits anew.
 */
export async function commitFinished(
  partitions: Iterable<PartitionState>,
  commitOffsets: CommitOffsets,
  logger: LoggerService,
): Promise<CommitOutcome> {
  const offsets: { topic: string; partition: number; offset: string }[] = [];
  const states: [PartitionState, number][] = [];
  for (const state of partitions) {
    const candidate = state.revoked ? undefined : state.tracker.commitCandidate();
    if (candidate === undefined) continue;
    offsets.push({ topic: state.topic, partition: state.partition, offset: String(candidate) });
    states.push([state, candidate]);
  }
  if (offsets.length === 0) return 'done';
  try {
    await commitOffsets(offsets);
    for (const [state, offset] of states) state.tracker.markCommitted(offset);
    return 'done';
  } catch (error) {
    if (isRebalanceError(error)) {
      // The group moved on; GROUP_JOIN tells which partitions are still ours and commits again.
      logger.log(`commit skipped during a rebalance: ${errorMessage(error)}`);
      return 'done';
    }
    logger.warn(`commit failed, trying again: ${errorMessage(error)}`);
    return 'again';
  }
}

import { type PartitionState, type Work } from './work';

/** setTimeout's longest delay; longer waits are taken in chunks. */
const MAX_TIMER_MS = 2_147_483_647;

export interface DelayedRetriesOptions {
  /** Whether work of this partition may still run when it comes due (owned, consumer running). */
  readonly live: (state: PartitionState) => boolean;
  /** Hands work that has come due on to be run. */
  readonly due: (work: Work) => void;
}

/**
 * Retry messages waiting for their due time. They hold no concurrency slot and block no key, and
 * their offsets stay unfinished, so a dropped one (its partition lost, the consumer stopping) is
 * read again by the next owner.
 */
export class DelayedRetries {
  private readonly timers = new Map<PartitionState, Set<NodeJS.Timeout>>();
  private waiting = 0;

  constructor(private readonly options: DelayedRetriesOptions) {}

  get count(): number {
    return this.waiting;
  }

  /** Holds work until `dueAt` (epoch ms), then hands it on, never before. */
  hold(work: Work, dueAt: number): void {
    this.waiting += 1;
    this.wait(work, dueAt);
  }

  /** Forgets a partition's waiting retries. */
  drop(state: PartitionState): void {
    const timers = this.timers.get(state);
    if (!timers) return;
    for (const timer of timers) clearTimeout(timer);
    this.waiting -= timers.size;
    this.timers.delete(state);
  }

  dropAll(): void {
    for (const state of [...this.timers.keys()]) this.drop(state);
  }

  private wait(work: Work, dueAt: number): void {
    const { state } = work;
    const timer = setTimeout(
      () => {
        this.forget(state, timer);
        if (!this.options.live(state)) {
          this.waiting -= 1;
          return;
        }
        // Timers may fire a millisecond early by the wall clock, and long delays come in chunks:
        // "not before retryDueAt" is a promise.
        if (Date.now() < dueAt) {
          this.wait(work, dueAt);
          return;
        }
        this.waiting -= 1;
        this.options.due(work);
      },
      Math.min(Math.max(1, dueAt - Date.now()), MAX_TIMER_MS),
    );
    let timers = this.timers.get(state);
    if (!timers) {
      timers = new Set();
      this.timers.set(state, timers);
    }
    timers.add(timer);
  }

  private forget(state: PartitionState, timer: NodeJS.Timeout): void {
    const timers = this.timers.get(state);
    timers?.delete(timer);
    if (timers?.size === 0) this.timers.delete(state);
  }
}

/**
 * Runs tasks with at most `concurrency` at once, never two of the same key at once, and the
 * tasks of one key strictly in submission order. Keys take turns first come, first served: a
 * key with many tasks goes to the back of the line after each one, so one busy task cannot
 * starve the others.
 *
 * Pure scheduling: no Kafka here. `run` must not reject (the consumer handles every failure
 * itself); a rejection is reported to `onError` and the key moves on.
 */
export interface KeySchedulerOptions<T> {
  readonly concurrency: number;
  readonly run: (task: T) => Promise<void>;
  readonly onError?: (error: unknown, task: T) => void;
  /** Called whenever a task finishes, after the next ones have started. */
  readonly onSettled?: () => void;
}

export class KeyScheduler<T> {
  private readonly pendingByKey = new Map<string, T[]>();
  /** Keys with pending tasks and nothing running, in the order they became ready (Set keeps insertion order). */
  private readonly ready = new Set<string>();
  private readonly activeKeys = new Set<string>();
  private queuedCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: KeySchedulerOptions<T>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
  }

  get running(): number {
    return this.activeKeys.size;
  }

  get queued(): number {
    return this.queuedCount;
  }

  submit(key: string, task: T): void {
    const pending = this.pendingByKey.get(key);
    if (pending) pending.push(task);
    else this.pendingByKey.set(key, [task]);
    this.queuedCount += 1;
    if (!this.activeKeys.has(key)) this.ready.add(key);
    this.pump();
  }

  /** Removes queued (not started) tasks that match; returns them. Running tasks are not touched. */
  drop(predicate: (task: T) => boolean): T[] {
    const dropped: T[] = [];
    for (const [key, pending] of this.pendingByKey) {
      const kept = pending.filter((task) => {
        if (!predicate(task)) return true;
        dropped.push(task);
        return false;
      });
      if (kept.length === 0) {
        this.pendingByKey.delete(key);
        this.ready.delete(key);
      } else if (kept.length !== pending.length) {
        this.pendingByKey.set(key, kept);
      }
    }
    this.queuedCount -= dropped.length;
    this.notifyIdle();
    return dropped;
  }

  /** Resolves when nothing runs; queued tasks keep starting meanwhile unless dropped. */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.queuedCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.activeKeys.size < this.options.concurrency) {
      const key = this.ready.values().next();
      if (key.done) return;
      this.ready.delete(key.value);
      const pending = this.pendingByKey.get(key.value);
      const task = pending?.shift();
      if (pending === undefined || task === undefined) continue;
      if (pending.length === 0) this.pendingByKey.delete(key.value);
      this.queuedCount -= 1;
      this.start(key.value, task);
    }
  }

  private start(key: string, task: T): void {
    this.activeKeys.add(key);
    let settled: Promise<void>;
    try {
      settled = this.options.run(task);
    } catch (error) {
      settled = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    settled
      .catch((error: unknown) => this.options.onError?.(error, task))
      .finally(() => {
        this.activeKeys.delete(key);
        if (this.pendingByKey.has(key)) this.ready.add(key);
        this.pump();
        this.options.onSettled?.();
        this.notifyIdle();
      })
      .catch(() => undefined);
  }

  private notifyIdle(): void {
    if (this.running !== 0 || this.queuedCount !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

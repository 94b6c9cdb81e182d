/**
 * Runs tasks with at most `concurrency` at once, never two of the same key at once, and the
 * tasks of one key strictly in submission order. Keys take turns first come, first served within
 * a priority class: a key with many tasks goes to the back of the line after each one, so one busy
 * task cannot starve the others.
 *
 * Priority classes (0 = highest) share the slots by weight (stride scheduling): with the default
 * weights 6:3:1 a backlog of normal work cannot hold up a high-priority task, and low-priority work
 * still gets a tenth of the turns while the others are busy. A key is in the class of its next task.
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
  /** Share of turns per priority class, highest class first; default [6, 3, 1]. */
  readonly weights?: readonly number[];
}

export const DEFAULT_PRIORITY_WEIGHTS: readonly number[] = [6, 3, 1];

interface Pending<T> {
  readonly task: T;
  readonly priority: number;
}

export class KeyScheduler<T> {
  private readonly pendingByKey = new Map<string, Pending<T>[]>();
  /** Per class: keys with pending tasks and nothing running, in the order they became ready. */
  private readonly ready: Set<string>[];
  /** Stride scheduling: each class's pass advances by 1/weight when it gets a turn; the lowest pass goes next. */
  private readonly pass: number[];
  private readonly weights: readonly number[];
  private virtualTime = 0;
  private readonly activeKeys = new Set<string>();
  private queuedCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: KeySchedulerOptions<T>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.weights = options.weights ?? DEFAULT_PRIORITY_WEIGHTS;
    if (this.weights.length === 0 || this.weights.some((w) => !(w > 0))) {
      throw new RangeError(`priority weights must be positive numbers, got ${this.weights.join(', ')}`);
    }
    this.ready = this.weights.map(() => new Set<string>());
    this.pass = this.weights.map(() => 0);
  }

  get running(): number {
    return this.activeKeys.size;
  }

  get queued(): number {
    return this.queuedCount;
  }

  /** `priority` is a class index, 0 the highest; out-of-range values are clamped. */
  submit(key: string, task: T, priority = 1): void {
    const entry = { task, priority: Math.min(Math.max(0, Math.trunc(priority)), this.weights.length - 1) };
    const pending = this.pendingByKey.get(key);
    if (pending) pending.push(entry);
    else this.pendingByKey.set(key, [entry]);
    this.queuedCount += 1;
    if (!this.activeKeys.has(key) && !pending) this.markReady(key);
    this.pump();
  }

  /** Removes queued (not started) tasks that match; returns them. Running tasks are not touched. */
  drop(predicate: (task: T) => boolean): T[] {
    const dropped: T[] = [];
    for (const [key, pending] of this.pendingByKey) {
      const kept = pending.filter((entry) => {
        if (!predicate(entry.task)) return true;
        dropped.push(entry.task);
        return false;
      });
      if (kept.length === pending.length) continue;
      for (const set of this.ready) set.delete(key);
      if (kept.length === 0) {
        this.pendingByKey.delete(key);
      } else {
        this.pendingByKey.set(key, kept);
        if (!this.activeKeys.has(key)) this.markReady(key);
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

  private markReady(key: string): void {
    const head = this.pendingByKey.get(key)?.[0];
    if (!head) return;
    const set = this.ready[head.priority]!;
    // A class that was idle rejoins at the current virtual time: no burst of saved-up turns.
    if (set.size === 0) this.pass[head.priority] = Math.max(this.pass[head.priority]!, this.virtualTime);
    set.add(key);
  }

  private nextClass(): number | undefined {
    let best: number | undefined;
    for (let c = 0; c < this.ready.length; c++) {
      if (this.ready[c]!.size > 0 && (best === undefined || this.pass[c]! < this.pass[best]!)) best = c;
    }
    return best;
  }

  private pump(): void {
    while (this.activeKeys.size < this.options.concurrency) {
      const c = this.nextClass();
      if (c === undefined) return;
      this.virtualTime = this.pass[c]!;
      this.pass[c]! += 1 / this.weights[c]!;
      const set = this.ready[c]!;
      const key = set.values().next().value as string;
      set.delete(key);
      const pending = this.pendingByKey.get(key);
      const entry = pending?.shift();
      if (pending === undefined || entry === undefined) continue;
      if (pending.length === 0) this.pendingByKey.delete(key);
      this.queuedCount -= 1;
      this.start(key, entry.task);
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
        if (this.pendingByKey.has(key)) this.markReady(key);
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

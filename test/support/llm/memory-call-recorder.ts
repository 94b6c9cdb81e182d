import { type StepCall } from '@tributary/contracts';
import { type CallMeta, type CallRecorder, type JournalScope } from '@tributary/llm';

/**
 * A call journal in memory: `entries` stands for the store shared by every process (values copied
 * in and out, as a store would), `recent` for what this process recorded or read lately. Counts the
 * store reads and writes, so a spec can tell a read that was skipped from one that was made.
 */
export class MemoryCallRecorder implements CallRecorder {
  readonly counts = { gets: 0, puts: 0 };
  /** What each put said about its call, by key. */
  readonly metas = new Map<string, CallMeta | undefined>();
  private readonly recent = new Map<string, unknown>();

  constructor(private readonly entries = new Map<string, string>()) {}

  /** The same journal seen by a process that just started: the store's entries, nothing recent. */
  restarted(): MemoryCallRecorder {
    return new MemoryCallRecorder(this.entries);
  }

  peek(key: string): unknown {
    return this.recent.get(key);
  }

  get(key: string): Promise<unknown> {
    this.counts.gets += 1;
    const entry = this.entries.get(key);
    const value = entry === undefined ? undefined : (JSON.parse(entry) as unknown);
    if (value !== undefined) this.recent.set(key, value);
    return Promise.resolve(value);
  }

  put(key: string, value: unknown, meta?: CallMeta): Promise<void> {
    this.counts.puts += 1;
    this.metas.set(key, meta);
    this.recent.set(key, value);
    this.entries.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

/** A journal scope that keeps the writes handed to it, as a step frame does. */
export class MemoryJournalScope implements JournalScope {
  readonly writes: Promise<void>[] = [];
  readonly calls: StepCall[] = [];

  constructor(readonly firstDelivery: boolean) {}

  noteCall(call: StepCall): void {
    this.calls.push(call);
  }

  pending(write: Promise<void>): void {
    write.catch(() => undefined);
    this.writes.push(write);
  }
}

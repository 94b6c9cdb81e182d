import { type CallRecorder } from '@tributary/llm';

/** A call journal in memory. Values are copied in and out, as a store would. */
export class MemoryCallRecorder implements CallRecorder {
  private readonly entries = new Map<string, string>();

  get(key: string): Promise<unknown> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry === undefined ? undefined : (JSON.parse(entry) as unknown));
  }

  put(key: string, value: unknown): Promise<void> {
    this.entries.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

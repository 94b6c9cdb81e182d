import { type SseSink } from '../../../apps/gateway/src/streams/sse';

/** An SSE client for tests: keeps what was written, and can leave like a browser closing the tab. */
export class MemorySink implements SseSink {
  chunks: string[] = [];
  closed = false;
  private listeners: (() => void)[] = [];
  write(chunk: string): Promise<void> {
    this.chunks.push(chunk);
    return Promise.resolve();
  }
  end(): void {
    this.closed = true;
  }
  onClose(listener: () => void): void {
    this.listeners.push(listener);
  }
  leave(): void {
    this.closed = true;
    for (const l of this.listeners) l();
  }
  get ids(): number[] {
    return this.chunks.filter((c) => c.startsWith('id: ')).map((c) => Number(/^id: (\d+)/.exec(c)?.[1]));
  }
}

import { type ServerResponse } from 'node:http';
import { type SseSink } from './sse';

/** An SSE sink over Node's response, honouring back-pressure (waits for 'drain'). */
export class RawSseSink implements SseSink {
  private readonly closeListeners: (() => void)[] = [];
  private isClosed = false;

  constructor(private readonly response: ServerResponse) {
    const onClose = () => {
      if (this.isClosed) return;
      this.isClosed = true;
      for (const listener of this.closeListeners.splice(0)) listener();
    };
    response.on('close', onClose);
    response.on('error', onClose);
  }

  get closed(): boolean {
    return this.isClosed || this.response.writableEnded || this.response.destroyed;
  }

  write(chunk: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the client went away'));
    if (this.response.write(chunk)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        this.response.off('drain', onDrain);
        this.response.off('close', onGone);
      };
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onGone = () => {
        cleanup();
        reject(new Error('the client went away'));
      };
      this.response.once('drain', onDrain);
      this.response.once('close', onGone);
    });
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }
}

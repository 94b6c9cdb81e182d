import { type FeedEntry } from '../task/task-feed';
import { SSE_HEARTBEAT, type SseSink, sseMessage } from './sse';
import { type StreamSink } from './task-log-stream';

/** A task stream's sink over SSE text: each entry becomes one SSE message, a heartbeat a comment. */
export class SseStreamSink implements StreamSink {
  constructor(
    private readonly sse: SseSink,
    private readonly taskId: string,
  ) {}

  write(entry: FeedEntry): Promise<void> {
    return this.sse.write(sseMessage(this.taskId, entry));
  }

  heartbeat(): Promise<void> {
    return this.sse.write(SSE_HEARTBEAT);
  }

  end(): void {
    this.sse.end();
  }

  get closed(): boolean {
    return this.sse.closed;
  }

  onClose(listener: () => void): void {
    this.sse.onClose(listener);
  }
}

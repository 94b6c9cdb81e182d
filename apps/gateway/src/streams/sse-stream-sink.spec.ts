import { describe, expect, it } from 'vitest';
import { type SseSink } from './sse';
import { SseStreamSink } from './sse-stream-sink';

class TextSink implements SseSink {
  readonly chunks: string[] = [];
  closed = false;
  write(chunk: string): Promise<void> {
    this.chunks.push(chunk);
    return Promise.resolve();
  }
  end(): void {
    this.closed = true;
  }
  onClose(): void {}
}

describe('SseStreamSink', () => {
  it('writes an entry as one SSE message named by its position, and a heartbeat as a comment', async () => {
    const text = new TextSink();
    const sink = new SseStreamSink(text, 'tsk_A');
    await sink.write({
      id: '2.0',
      entry: {
        seq: 4,
        eventId: 'e-4',
        type: 'research.completed',
        at: new Date('2026-01-02T03:04:05.000Z'),
        status: 'reviewing',
        advanced: true,
        data: { round: 1 },
      },
    });
    await sink.heartbeat();
    expect(text.chunks).toEqual([
      'id: 2.0\nevent: research.completed\ndata: ' +
        JSON.stringify({
          seq: 4,
          taskId: 'tsk_A',
          type: 'research.completed',
          at: '2026-01-02T03:04:05.000Z',
          status: 'reviewing',
          advanced: true,
          data: { round: 1 },
        }) +
        '\n\n',
      ': keep-alive\n\n',
    ]);
    sink.end();
    expect(sink.closed).toBe(true);
  });
});

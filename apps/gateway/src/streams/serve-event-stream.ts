import { type FastifyReply } from 'fastify';
import { RawSseSink } from './raw-sse-sink';
import { sseRetry } from './sse';
import { SseStreamSink } from './sse-stream-sink';
import { type SseHub } from './sse-hub';
import { type OpenedStream } from './stream-task-events.usecase';

/**
 * Answers an opened stream over Fastify: 204 when there is nothing left to send, otherwise the
 * reply is hijacked and the stream writes `text/event-stream` to the socket until it ends; timers
 * and subscriptions go when the client does.
 */
export function serveEventStream(
  reply: FastifyReply,
  opened: OpenedStream,
  hub: SseHub,
  retryMs: number,
): void {
  if (opened.kind === 'ended') {
    void reply.status(204).send();
    return;
  }
  const { stream } = opened;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // The socket closes with the stream: an ended stream leaves no idle connection behind to hold up shutdown.
    connection: 'close',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  const sse = new RawSseSink(raw);
  void sse.write(sseRetry(retryMs)).catch(() => stream.close());
  void stream.run(new SseStreamSink(sse, stream.taskId)).finally(() => {
    hub.release(stream);
    sse.end();
  });
}

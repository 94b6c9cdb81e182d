import { type FastifyReply } from 'fastify';
import { sseMetrics } from '@tributary/metrics';
import { RawSseSink } from './raw-sse-sink';
import { sseClosed, sseRetry } from './sse';
import { SseStreamSink } from './sse-stream-sink';
import { type SseHub } from './sse-hub';
import { type OpenedStream } from './stream-task-events.usecase';

/** What ends a stream besides its task: a lifetime, and a credential that stops being valid. */
export interface StreamBounds {
  /** The instant the stream ends at the latest, epoch ms, and why: its lifetime, or its JWT's expiry. */
  readonly endsAt: number;
  readonly endsFor: 'max-lifetime' | 'credential-expired';
  /** How often to ask `stillValid`. */
  readonly checkEveryMs: number;
  /** False once the credential is revoked or expired; a rejection (store down) keeps the stream open. */
  stillValid(): Promise<boolean>;
  /** Gives the stream's place in the limits back; called once, however the stream ends. */
  release(): void;
}

/**
 * Answers an opened stream over Fastify: 204 when there is nothing left to send, otherwise the
 * reply is hijacked and the stream writes `text/event-stream` to the socket until it ends (its task
 * ended, the client left, its lifetime ran out or its credential was revoked or expired; the last
 * two write a `: closed <reason>` comment first (see `sseClosed`)); timers and subscriptions go when the client does.
 */
export function serveEventStream(
  reply: FastifyReply,
  opened: OpenedStream,
  hub: SseHub,
  retryMs: number,
  bounds: StreamBounds,
): void {
  if (opened.kind === 'ended') {
    bounds.release();
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
  sseMetrics.opened();
  const closeFor = (reason: string): void => {
    void sse
      .write(sseClosed(reason))
      .catch(() => undefined)
      .finally(() => stream.close());
  };
  const lifetime = setTimeout(() => closeFor(bounds.endsFor), Math.max(0, bounds.endsAt - Date.now()));
  const check = setInterval(() => {
    bounds.stillValid().then(
      (valid) => {
        if (!valid) closeFor('credential-invalid');
      },
      () => undefined,
    );
  }, bounds.checkEveryMs);
  void sse.write(sseRetry(retryMs)).catch(() => stream.close());
  void stream.run(new SseStreamSink(sse, stream.taskId)).finally(() => {
    clearTimeout(lifetime);
    clearInterval(check);
    bounds.release();
    hub.release(stream);
    sse.end();
    sseMetrics.closed();
  });
}

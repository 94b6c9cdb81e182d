import { type FeedEntry } from '../task/task-feed';

/** Where SSE text goes: the HTTP layer adapts a raw response to it. */
export interface SseSink {
  /** Resolves once the chunk is written or buffered within the socket's limit (back-pressure). */
  write(chunk: string): Promise<void>;
  end(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

/** The JSON in each SSE `data:` line. */
export interface StreamedEvent {
  /** The event's place in the stream as the fold numbers it (1 for the first event of the task). */
  seq: number;
  taskId: string;
  type: string;
  at: string;
  status: string;
  advanced: boolean;
  data: Record<string, unknown>;
}

/** One SSE message: `id:` is the entry's causal position, the same on every gateway instance. */
export function sseMessage(taskId: string, { id, entry }: FeedEntry): string {
  const payload: StreamedEvent = {
    seq: entry.seq,
    taskId,
    type: entry.type,
    at: new Date(entry.at).toISOString(),
    status: entry.status,
    advanced: entry.advanced,
    data: entry.data,
  };
  // JSON.stringify never emits a raw newline, so one data line carries the whole event.
  return `id: ${id}\nevent: ${entry.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** The SSE `retry:` field: how long a browser waits before reconnecting. */
export function sseRetry(retryMs: number): string {
  return `retry: ${retryMs}\n\n`;
}

export const SSE_HEARTBEAT = ': keep-alive\n\n';

/**
 * The comment written before the gateway ends a stream early: `max-lifetime` (reconnect with
 * `Last-Event-ID` to go on), `credential-expired` (the token expired: reconnect with a fresh one) or
 * `credential-invalid` (the key was revoked).
 */
export function sseClosed(reason: string): string {
  return `: closed ${reason}\n\n`;
}

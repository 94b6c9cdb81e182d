import { type TaskEventRow } from '../task/log';

/** Where an event stream writes; the HTTP layer adapts a raw response to it (tests use an array). */
export interface SseSink {
  /** Resolves once the chunk is written or buffered within the socket's limit (back-pressure). */
  write(chunk: string): Promise<void>;
  end(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

/** The JSON in each SSE `data:` line. */
export interface StreamedEvent {
  seq: number;
  taskId: string;
  type: string;
  at: string;
  status: string;
  advanced: boolean;
  data: Record<string, unknown>;
}

/** What one SSE message is made of: a `task_events` row, or an entry of the task's timeline. */
export type StreamedRow = Pick<
  TaskEventRow,
  'taskId' | 'seq' | 'type' | 'at' | 'status' | 'advanced' | 'data'
>;

export function sseMessage(row: StreamedRow): string {
  const payload: StreamedEvent = {
    seq: row.seq,
    taskId: row.taskId,
    type: row.type,
    at: new Date(row.at).toISOString(),
    status: row.status,
    advanced: row.advanced,
    data: row.data,
  };
  // JSON.stringify never emits a raw newline, so one data line carries the whole event.
  return `id: ${row.seq}\nevent: ${row.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export const SSE_HEARTBEAT = ': keep-alive\n\n';

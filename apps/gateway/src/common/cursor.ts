import { z } from 'zod';
import { TASK_ID_PATTERN } from './ids';

/**
 * Task lists are ordered newest first by task id (ids are ULIDs, so id order is creation order).
 * A cursor is the sort key of the last item a page returned, base64url-encoded JSON: opaque to
 * clients, readable by us. The version field lets the key change without breaking old cursors silently.
 */
const cursorPayload = z.object({ v: z.literal(1), id: z.string().regex(TASK_ID_PATTERN) });

export interface TaskCursor {
  readonly lastTaskId: string;
}

export function encodeCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, id: cursor.lastTaskId }), 'utf8').toString('base64url');
}

/** Undefined when the text is not a cursor this gateway wrote. */
export function decodeCursor(text: string): TaskCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { lastTaskId: parsed.data.id } : undefined;
  } catch {
    return undefined;
  }
}

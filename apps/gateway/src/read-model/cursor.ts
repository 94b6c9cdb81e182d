import { TASK_ID_PATTERN } from '../task/ids';

/**
 * Task lists are ordered newest first by task id (ids are ULIDs, so id order is creation order).
 * A cursor is the sort key of the last item a page returned: that task's id. Any well-formed task
 * id is a valid position (the page after it), so the OpenAPI document can describe cursors exactly
 * (the task id pattern) and no cursor that matches the document is refused.
 */
export interface TaskCursor {
  readonly lastTaskId: string;
}

export const CURSOR_PATTERN = TASK_ID_PATTERN;

export function encodeCursor(cursor: TaskCursor): string {
  return cursor.lastTaskId;
}

/** Undefined when the text is not a cursor. */
export function decodeCursor(text: string): TaskCursor | undefined {
  return CURSOR_PATTERN.test(text) ? { lastTaskId: text } : undefined;
}

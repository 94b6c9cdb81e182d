/**
 * A list is ordered newest first by position in its scope (the order tasks were listed in; see
 * task-list.ts). A cursor is where the next page starts: the position of the last item a page
 * returned (the next page holds the positions below it). A cursor belongs to the query (filters)
 * that returned it; any well-formed one is a valid position, so the OpenAPI document can describe
 * cursors exactly and no cursor that matches it is refused.
 */
export interface TaskCursor {
  readonly before: number;
}

export const CURSOR_PATTERN = /^p[1-9][0-9]{0,11}$/;

export function encodeCursor(cursor: TaskCursor): string {
  return `p${cursor.before}`;
}

/** Undefined when the text is not a cursor. */
export function decodeCursor(text: string): TaskCursor | undefined {
  return CURSOR_PATTERN.test(text) ? { before: Number(text.slice(1)) } : undefined;
}

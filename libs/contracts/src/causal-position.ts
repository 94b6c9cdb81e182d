/**
 * Where an event sits in its task's history, assigned by the producer that emits it.
 *
 * A task's work is a chain: each stage handles one event and emits its progress and then its
 * result, all caused by the event it handled. So an event's `depth` is its cause's depth plus one
 * (a root event, such as a submission, has depth 0) and its `index` counts the events emitted for
 * the same cause, in emission order. Ordering by (depth, index) is the order in which the events
 * happened, whatever topic or partition carried them. A handler that runs twice for one cause
 * (after a crash) assigns the same positions again, as it assigns the same event ids.
 */
export interface CausalPosition {
  readonly depth: number;
  readonly index: number;
}

export const ROOT_POSITION: CausalPosition = { depth: 0, index: 0 };

/**
 * The indexes of a task's root events (depth 0): events that no event of the chain caused, or that
 * run concurrently with it. Each kind has its own, so two never share a position.
 */
export const ROOT_EVENT_INDEX = {
  /** task.requested */
  submission: 0,
  /** task.cancel-requested */
  cancelRequest: 1,
  /** task.failed published by the gateway's deadline consumer */
  deadline: 2,
} as const;

/** The position of the `index`-th event caused by an event at `cause` (or of a root event). */
export function positionAfter(cause: CausalPosition | null | undefined, index: number): CausalPosition {
  return { depth: cause ? cause.depth + 1 : 0, index };
}

export function comparePositions(a: CausalPosition, b: CausalPosition): number {
  return a.depth - b.depth || a.index - b.index;
}

/** `depth.index`: the header value, and a stable SSE event id. */
export function formatPosition(position: CausalPosition): string {
  return `${position.depth}.${position.index}`;
}

const POSITION = /^(\d{1,9})\.(\d{1,9})$/;

/** Reads `depth.index`; undefined for anything else (so a bad header or Last-Event-ID is ignored, not thrown). */
export function parsePosition(value: string | undefined): CausalPosition | undefined {
  const match = value === undefined ? null : POSITION.exec(value.trim());
  if (!match) return undefined;
  return { depth: Number(match[1]), index: Number(match[2]) };
}

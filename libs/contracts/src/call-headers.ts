/**
 * A Kafka header on an agent step's result events (and on a task.failed the step emits): the
 * journaled LLM and tool calls the step made, or was answered from, in the order it asked. It lets
 * anyone reading the topics (`tributary task trace`) find each call in the call journal by its key,
 * and tell a call paid for from one served by the journal, without the store keeping a list per task.
 * Added beside the envelope headers; readers treat a missing header as "no calls recorded".
 */
export const CALLS_HEADER = 'calls';

/**
 * A Kafka header on an agent step's result events (and on a task.failed the step emits) when the
 * step ran on a delivery that may have been handled before (a retry, a redelivery after a crash or a
 * rebalance, a redrive, or an input that itself carried this header). Its event may then be a copy of
 * one already published, with the same id, and is a new message all the same: a consumer treats it as
 * no first delivery, so a step it starts reads the call journal (and confirms cancellations in the
 * store) instead of trusting its memory, which a restart emptied. Its value is `1`; only its presence
 * counts. Absent on the happy path, which therefore reads nothing.
 */
export const MAY_REPEAT_HEADER = 'mayRepeat';

/** How a step got a call's result. */
export type CallVia =
  /** The model (or the tool) was called now, and the result journaled. */
  | 'called'
  /** Answered from the call journal: an earlier attempt (or another task with the same inputs) recorded it. */
  | 'journal'
  /** Joined an identical call already in flight in the same process. */
  | 'shared';

export interface StepCall {
  /** The call journal key: a hash of the call's inputs (the prompt hash). */
  readonly key: string;
  /** `plan`, `draft`, `review`, or a tool such as `tool:retrieve`. */
  readonly method: string;
  readonly via: CallVia;
  /** How long the call took, when it was called now. */
  readonly ms?: number;
}

export function formatCallsHeader(calls: readonly StepCall[]): string {
  return JSON.stringify(calls);
}

const VIAS: ReadonlySet<string> = new Set<CallVia>(['called', 'journal', 'shared']);

/** The calls a header lists; an absent or unreadable header lists none. */
export function parseCallsHeader(raw: string | undefined): StepCall[] {
  if (raw === undefined) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return [];
      const { key, method, via, ms } = entry as Record<string, unknown>;
      if (typeof key !== 'string' || typeof method !== 'string' || typeof via !== 'string' || !VIAS.has(via))
        return [];
      return [{ key, method, via: via as CallVia, ...(typeof ms === 'number' ? { ms } : {}) }];
    });
  } catch {
    return [];
  }
}

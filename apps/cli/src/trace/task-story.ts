import { type CausalPosition, comparePositions, type StepCall } from '@tributary/contracts';

/** A record of the task on one of its event topics, decoded. */
export interface EventRecord {
  readonly topic: string;
  /** The catalogue's short name of the event type, e.g. `task.planned`. */
  readonly kind: string;
  readonly partition: number;
  readonly offset: string;
  /** The broker's timestamp (epoch ms). */
  readonly timestamp: number;
  readonly eventId: string;
  readonly causationId: string | null;
  readonly tenantId: string;
  readonly producer: string;
  /** Epoch ms. */
  readonly occurredAt: number;
  readonly position: CausalPosition | null;
  readonly traceparent: string;
  /** Decoded value, or null when it could not be decoded. */
  readonly value: Record<string, unknown> | null;
  readonly decodeError: string | null;
  readonly calls: readonly StepCall[];
  /** `<dead-letter topic>/<partition>/<offset>` when a redrive wrote it. */
  readonly redrivenFrom: string | null;
}

/** A copy of one of the task's events on a consumer group's retry or dead-letter topic. */
export interface FailureRecord {
  /**
   * `deferred`: a timer, not a failure (the gateway's deadline check defers every request to its deadline).
   * `redrive`: a dead letter a redrive copied into its group's retry topic (the error is the one that
   * dead-lettered it).
   */
  readonly kind: 'retry' | 'deferred' | 'redrive' | 'dead-letter';
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The event the copy is of (from its envelope headers), when they are readable. */
  readonly eventId: string | null;
  readonly originTopic: string;
  readonly attempts: number;
  readonly errorClass: string;
  readonly errorMessage: string;
  /** Epoch ms of the failure (the broker's timestamp when the headers lack it). */
  readonly at: number;
  /** Retry topic only: not before this instant (epoch ms). */
  readonly dueAt: number | null;
  /** A redrive only: the dead letter it copied, `<dead-letter topic>/<partition>/<offset>`. */
  readonly redrivenFrom: string | null;
}

/** What a call journal record says about a call (absent when the journal has no record of it). */
export interface JournalRecord {
  readonly agent: string;
  readonly createdAt: number;
  readonly taskId: string | null;
  readonly durationMs: number | null;
  /**
   * Tokens the model counted when the call was made (all its requests); null for tools, the offline
   * provider and records from before tokens were kept. A call served from the journal or shared spent
   * none: these are the recorded call's.
   */
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly resultSize: number;
}

export interface StoryCall extends StepCall {
  /** The event whose step asked for it. */
  readonly eventId: string;
  readonly kind: string;
  readonly record: JournalRecord | null;
}

export interface StoryEvent {
  readonly eventId: string;
  readonly kind: string;
  readonly producer: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly occurredAt: number;
  /** Since the task's first event. */
  readonly atMs: number;
  /** Since the event that caused it (null for a root, or when the cause is not among the task's events). */
  readonly gapMs: number | null;
  readonly position: string | null;
  readonly summary: string;
  /** Other offsets the same event (same id) was written at: a step that ran again after a crash or a redrive. */
  readonly copies: readonly {
    partition: number;
    offset: string;
    timestamp: number;
    redrivenFrom: string | null;
  }[];
  readonly redrivenFrom: string | null;
  readonly calls: readonly StoryCall[];
  /** Its trips through retry and dead-letter topics, in time order. */
  readonly failures: readonly FailureRecord[];
  readonly decodeError: string | null;
  readonly children: readonly StoryEvent[];
}

export type Outcome =
  | { readonly status: 'completed'; readonly at: number; readonly detail: string }
  | { readonly status: 'failed'; readonly at: number; readonly detail: string }
  | { readonly status: 'cancelled'; readonly at: number; readonly detail: string }
  | { readonly status: 'open'; readonly at: null; readonly detail: string };

export interface TaskStory {
  readonly taskId: string;
  readonly tenantId: string | null;
  readonly outcome: Outcome;
  readonly startedAt: number | null;
  /** From the first event to the outcome (or the last event, for an open task). */
  readonly durationMs: number | null;
  readonly counts: {
    readonly events: number;
    /** Events written more than once (a redelivered step, a redrive). */
    readonly rewritten: number;
    readonly retries: number;
    readonly deadLetters: number;
    /** Dead letters a redrive sent back to their group. */
    readonly redrives: number;
    readonly calls: number;
    /** Calls paid for (the model or tool ran). */
    readonly called: number;
    readonly fromJournal: number;
    readonly shared: number;
    /** Tokens spent by the calls made for this task (`called`), as their journal records say. */
    readonly inputTokens: number;
    readonly outputTokens: number;
  };
  /** The causation tree: events with no cause among the task's events at the top. */
  readonly tree: readonly StoryEvent[];
  readonly calls: readonly StoryCall[];
  /** Failure records whose event is not among the task's events (its event id unreadable, or outside the range read). */
  readonly unmatchedFailures: readonly FailureRecord[];
  /** The longest waits between an event and its cause, longest first. */
  readonly gaps: readonly { readonly eventId: string; readonly kind: string; readonly gapMs: number }[];
}

/**
 * The gateway's terminal events and the status each ends a task with; the first one wins
 * (apps/gateway/src/task/status.ts, TERMINAL_EVENTS, is the rule; this mirrors it for reading the log).
 */
const TERMINAL: Readonly<Record<string, Outcome['status']>> = {
  'recommendation.ready': 'completed',
  'task.failed': 'failed',
  'task.cancel-requested': 'cancelled',
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** One line about a value, for the tree: line breaks in the texts it quotes (a critique) become spaces. */
export function summarize(kind: string, value: Record<string, unknown> | null): string {
  return describe(kind, value).replace(/\s*\n\s*/g, ' ');
}

function describe(kind: string, value: Record<string, unknown> | null): string {
  if (value === null) return '(undecodable)';
  switch (kind) {
    case 'task.requested': {
      const request = (value.request ?? {}) as Record<string, unknown>;
      return `"${text(request.query)}" for ${text(request.userId)}`;
    }
    case 'task.planned': {
      const plan = (value.plan ?? {}) as { steps?: unknown[]; provider?: unknown };
      return `${plan.steps?.length ?? 0} research step(s) (${text(plan.provider)})`;
    }
    case 'task.progress':
      return `${text(value.stage)}: ${text(value.message)}`;
    case 'research.completed': {
      const draft = (value.draft ?? {}) as { recommendations?: unknown[] };
      return `round ${String(value.round)}: drafted ${draft.recommendations?.length ?? 0} recommendation(s)`;
    }
    case 'review.completed':
      return `round ${String(value.round)}: ${text(value.verdict)}, score ${Number(value.score).toFixed(2)}`;
    case 'recommendation.ready': {
      const items = (value.recommendations ?? []) as { itemId?: unknown }[];
      return `${items.length} recommendation(s) after ${String(value.rounds)} round(s)${value.bestEffort === true ? ', best effort' : ''}: ${items.map((i) => text(i.itemId)).join(', ')}`;
    }
    case 'task.failed':
      return `${text(value.code) || 'failed'} in ${text(value.stage)}: ${text(value.reason)}`;
    case 'task.cancel-requested':
      return `cancel requested${value.reason ? `: ${text(value.reason)}` : ''}`;
    default:
      return '';
  }
}

function order(a: EventRecord, b: EventRecord): number {
  if (a.position && b.position && a.causationId === b.causationId)
    return comparePositions(a.position, b.position);
  return a.occurredAt - b.occurredAt || a.eventId.localeCompare(b.eventId);
}

/**
 * The story of one task from what its topics hold: each event once (copies of the same event id noted),
 * arranged by causation, with its retries and dead letters, the journaled calls its step listed, the
 * gaps between cause and effect, and how the task ended.
 */
export function buildStory(
  taskId: string,
  events: readonly EventRecord[],
  failures: readonly FailureRecord[],
  journal: ReadonlyMap<string, JournalRecord>,
): TaskStory {
  // One entry per event id: the first written; later offsets are copies.
  const byId = new Map<string, { first: EventRecord; copies: EventRecord[] }>();
  for (const record of [...events].sort(
    (a, b) => a.timestamp - b.timestamp || a.offset.localeCompare(b.offset),
  )) {
    const seen = byId.get(record.eventId);
    if (seen === undefined) byId.set(record.eventId, { first: record, copies: [] });
    else seen.copies.push(record);
  }
  const unique = [...byId.values()].map((entry) => entry.first).sort(order);
  const startedAt = unique.length > 0 ? Math.min(...unique.map((e) => e.occurredAt)) : null;

  const failuresOf = new Map<string, FailureRecord[]>();
  const unmatchedFailures: FailureRecord[] = [];
  for (const failure of [...failures].sort((a, b) => a.at - b.at)) {
    if (failure.eventId !== null && byId.has(failure.eventId)) {
      const list = failuresOf.get(failure.eventId) ?? [];
      list.push(failure);
      failuresOf.set(failure.eventId, list);
    } else unmatchedFailures.push(failure);
  }

  const calls: StoryCall[] = [];
  const children = new Map<string, EventRecord[]>();
  const roots: EventRecord[] = [];
  for (const event of unique) {
    if (event.causationId !== null && byId.has(event.causationId)) {
      const list = children.get(event.causationId) ?? [];
      list.push(event);
      children.set(event.causationId, list);
    } else roots.push(event);
  }

  const gaps: { eventId: string; kind: string; gapMs: number }[] = [];
  const node = (event: EventRecord): StoryEvent => {
    const cause = event.causationId === null ? undefined : byId.get(event.causationId)?.first;
    const gapMs = cause ? event.occurredAt - cause.occurredAt : null;
    if (gapMs !== null) gaps.push({ eventId: event.eventId, kind: event.kind, gapMs });
    const storyCalls = event.calls.map((call) => ({
      ...call,
      eventId: event.eventId,
      kind: event.kind,
      record: journal.get(call.key) ?? null,
    }));
    calls.push(...storyCalls);
    return {
      eventId: event.eventId,
      kind: event.kind,
      producer: event.producer,
      topic: event.topic,
      partition: event.partition,
      offset: event.offset,
      occurredAt: event.occurredAt,
      atMs: startedAt === null ? 0 : event.occurredAt - startedAt,
      gapMs,
      position: event.position ? `${event.position.depth}.${event.position.index}` : null,
      summary: summarize(event.kind, event.value),
      copies: byId.get(event.eventId)!.copies.map((copy) => ({
        partition: copy.partition,
        offset: copy.offset,
        timestamp: copy.timestamp,
        redrivenFrom: copy.redrivenFrom,
      })),
      redrivenFrom: event.redrivenFrom,
      calls: storyCalls,
      failures: failuresOf.get(event.eventId) ?? [],
      decodeError: event.decodeError,
      children: (children.get(event.eventId) ?? []).map(node),
    };
  };
  const tree = roots.map(node);

  const terminal = unique
    .filter((e) => TERMINAL[e.kind] !== undefined)
    .sort((a, b) => a.occurredAt - b.occurredAt)[0];
  const outcome: Outcome =
    terminal === undefined
      ? { status: 'open', at: null, detail: unique.length === 0 ? 'no events' : 'no terminal event yet' }
      : ({
          status: TERMINAL[terminal.kind]!,
          at: terminal.occurredAt,
          detail: summarize(terminal.kind, terminal.value),
        } as Outcome);
  const endedAt = outcome.at ?? (unique.length > 0 ? Math.max(...unique.map((e) => e.occurredAt)) : null);

  const spent = calls.filter((c) => c.via === 'called');
  return {
    taskId,
    tenantId: unique[0]?.tenantId ?? null,
    outcome,
    startedAt,
    durationMs: startedAt === null || endedAt === null ? null : endedAt - startedAt,
    counts: {
      events: unique.length,
      rewritten: [...byId.values()].filter((entry) => entry.copies.length > 0).length,
      retries: failures.filter((f) => f.kind === 'retry').length,
      deadLetters: failures.filter((f) => f.kind === 'dead-letter').length,
      redrives: failures.filter((f) => f.kind === 'redrive').length,
      calls: calls.length,
      called: calls.filter((c) => c.via === 'called').length,
      fromJournal: calls.filter((c) => c.via === 'journal').length,
      shared: calls.filter((c) => c.via === 'shared').length,
      inputTokens: spent.reduce((sum, c) => sum + (c.record?.inputTokens ?? 0), 0),
      outputTokens: spent.reduce((sum, c) => sum + (c.record?.outputTokens ?? 0), 0),
    },
    tree,
    calls,
    unmatchedFailures,
    gaps: gaps.sort((a, b) => b.gapMs - a.gapMs).slice(0, 5),
  };
}

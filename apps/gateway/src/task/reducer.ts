import { newTask } from './accepted-task';
import { isTerminal, TERMINAL_EVENTS, type TaskStatus } from './status';
import {
  EVENT_TYPES,
  type ProjectedEvent,
  type RoundState,
  type TaskState,
  type TimelineEntry,
} from './task-state';

/**
 * The projection's rules as one pure function: a task (or nothing) and an event in, the next task
 * out. Everything about idempotency and reordering is decided here, so it is unit-tested without
 * a database; the repository only makes the write atomic.
 *
 * - Duplicates: an event id already in the timeline is a no-op (the outcome says which seq it got).
 * - Order: a task's status moves only forward, by (round, stage): accepted < planning <
 *   researching(1) < reviewing(1) < researching(2) < reviewing(2) < … < terminal. An event that
 *   arrives behind the task's progress is recorded but leaves the status where it is.
 * - Terminal: the first terminal event wins, ending the task with its status (TERMINAL_EVENTS:
 *   ready → completed, failed → failed, cancel requested → cancelled); later ones are recorded in
 *   the timeline and change nothing else.
 */
export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly state: TaskState; readonly entry: TimelineEntry }
  | { readonly kind: 'duplicate'; readonly entry: TimelineEntry };

const TOKEN_DELTA_LIMIT = 200;
const TEXT_LIMIT = 500;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Position of a non-terminal status in the task's forward order; terminal is beyond every round. */
function position(status: TaskStatus, round: number): number {
  if (isTerminal(status)) return Number.POSITIVE_INFINITY;
  switch (status) {
    case 'accepted':
      return 0;
    case 'planning':
      return 1;
    case 'researching':
      return 2 * Math.max(round, 1);
    case 'reviewing':
      return 2 * Math.max(round, 1) + 1;
  }
}

function stageStatus(stage: string): TaskStatus | undefined {
  switch (stage) {
    case 'planning':
      return 'planning';
    case 'researching':
    case 'drafting':
      return 'researching';
    case 'reviewing':
      return 'reviewing';
    default:
      return undefined;
  }
}

function withRound(rounds: readonly RoundState[], round: number, patch: Partial<RoundState>): RoundState[] {
  const existing = rounds.find((r) => r.round === round);
  const base: RoundState = existing ?? {
    round,
    draft: null,
    draftedAt: null,
    verdict: null,
    critique: null,
    issues: [],
    score: null,
    reviewedAt: null,
  };
  const next = { ...base, ...patch };
  return [...rounds.filter((r) => r.round !== round), next].sort((a, b) => a.round - b.round);
}

interface Transition {
  /** Where the event would move the task; undefined when it carries no status of its own. */
  readonly target?: { status: TaskStatus; round: number };
  readonly patch: Partial<TaskState>;
  readonly data: Record<string, unknown>;
}

function transition(task: TaskState, event: ProjectedEvent): Transition {
  switch (event.kind) {
    case 'taskRequested': {
      const { request, callbackUrl, requestedAt } = event.value;
      const requested = new Date(requestedAt);
      return {
        target: { status: 'accepted', round: 0 },
        patch: {
          request,
          userId: request.userId,
          callbackUrl,
          createdAt: requested < task.createdAt ? requested : task.createdAt,
        },
        data: { query: request.query, maxResults: request.maxResults, priority: request.priority },
      };
    }
    case 'taskPlanned': {
      const { request, plan } = event.value;
      return {
        target: { status: 'researching', round: 1 },
        patch: {
          request: task.request ?? request,
          userId: task.userId ?? request.userId,
          plan,
          provider: task.provider ?? plan.provider,
        },
        data: { summary: clip(plan.summary, TEXT_LIMIT), steps: plan.steps.length, provider: plan.provider },
      };
    }
    case 'researchCompleted': {
      const { request, plan, round, draft } = event.value;
      return {
        target: { status: 'reviewing', round },
        patch: {
          request: task.request ?? request,
          userId: task.userId ?? request.userId,
          plan: task.plan ?? plan,
          provider: draft.provider,
          rounds: withRound(task.rounds, round, { draft, draftedAt: event.occurredAt }),
        },
        data: {
          round,
          recommendations: draft.recommendations.length,
          summary: clip(draft.summary, TEXT_LIMIT),
          provider: draft.provider,
        },
      };
    }
    case 'reviewCompleted': {
      const { request, plan, round, verdict, critique, issues, score, draft } = event.value;
      const existing = task.rounds.find((r) => r.round === round);
      return {
        target:
          verdict === 'revise' ? { status: 'researching', round: round + 1 } : { status: 'reviewing', round },
        patch: {
          request: task.request ?? request,
          userId: task.userId ?? request.userId,
          plan: task.plan ?? plan,
          rounds: withRound(task.rounds, round, {
            draft: existing?.draft ?? draft,
            draftedAt: existing?.draftedAt ?? null,
            verdict,
            critique,
            issues,
            score,
            reviewedAt: event.occurredAt,
          }),
        },
        data: { round, verdict, score, issues: issues.length, critique: clip(critique, TEXT_LIMIT) },
      };
    }
    case 'recommendationReady': {
      const v = event.value;
      return {
        target: { status: TERMINAL_EVENTS.recommendationReady, round: v.rounds },
        patch: {
          userId: task.userId ?? v.userId,
          ...(task.terminal
            ? {}
            : {
                result: {
                  summary: v.summary,
                  recommendations: v.recommendations,
                  rounds: v.rounds,
                  bestEffort: v.bestEffort,
                  provider: v.provider,
                  completedAt: new Date(v.completedAt),
                },
                provider: v.provider,
              }),
        },
        data: {
          recommendations: v.recommendations.length,
          rounds: v.rounds,
          bestEffort: v.bestEffort,
          provider: v.provider,
        },
      };
    }
    case 'taskFailed': {
      // Read with the current schema: an event from before codes has code null.
      const { stage, code, reason, failedAt } = event.value;
      return {
        target: { status: TERMINAL_EVENTS.taskFailed, round: task.round },
        patch: task.terminal ? {} : { failure: { stage, code, reason, at: new Date(failedAt) } },
        data: { stage, code, reason: clip(reason, TEXT_LIMIT) },
      };
    }
    case 'taskCancelRequested': {
      const { reason, requestedAt } = event.value;
      return {
        target: { status: TERMINAL_EVENTS.taskCancelRequested, round: task.round },
        patch: task.terminal ? {} : { cancellation: { reason, requestedAt: new Date(requestedAt) } },
        data: { reason },
      };
    }
    case 'taskProgress': {
      const { stage, message, tokenDelta, at } = event.value;
      const status = stageStatus(stage);
      return {
        ...(status === undefined
          ? {}
          : { target: { status, round: Math.max(task.round, status === 'planning' ? 0 : 1) } }),
        patch: { progress: { stage, message: clip(message, TEXT_LIMIT), at: new Date(at) } },
        data: {
          stage,
          message: clip(message, TEXT_LIMIT),
          ...(tokenDelta === null ? {} : { tokenDelta: clip(tokenDelta, TOKEN_DELTA_LIMIT) }),
        },
      };
    }
  }
}

export function applyEvent(current: TaskState | null, event: ProjectedEvent): ApplyOutcome {
  if (current !== null) {
    const seen = current.timeline.find((e) => e.eventId === event.eventId);
    if (seen) return { kind: 'duplicate', entry: seen };
  }
  const task = current ?? newTask(event.value.taskId, event.tenantId, event.occurredAt);
  const { target, patch, data } = transition(task, event);

  let status = task.status;
  let round = task.round;
  let advanced = false;
  if (
    target !== undefined &&
    !task.terminal &&
    position(target.status, target.round) > position(task.status, task.round)
  ) {
    status = target.status;
    advanced = true;
  }
  if (target !== undefined && !isTerminal(target.status)) round = Math.max(round, target.round);
  const terminal = isTerminal(status);

  const seq = task.version + 1;
  const entry: TimelineEntry = {
    seq,
    eventId: event.eventId,
    type: EVENT_TYPES[event.kind],
    at: event.occurredAt,
    status,
    advanced,
    data,
  };
  const state: TaskState = {
    ...task,
    ...patch,
    status,
    round,
    terminal,
    timeline: [...task.timeline, entry],
    version: seq,
    updatedAt: event.occurredAt > task.updatedAt ? event.occurredAt : task.updatedAt,
    endedAt: terminal && !task.terminal ? event.occurredAt : task.endedAt,
  };
  return { kind: 'applied', state, entry };
}

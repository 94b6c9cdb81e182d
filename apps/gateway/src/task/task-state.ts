import {
  type Draft,
  type EventValue,
  type Plan,
  type Recommendation,
  type TaskRequest,
  type TopicKey,
  type Topics,
} from '@tributary/contracts';
import { type TaskStatus } from './status';
import { type TenantId } from './tenant';

/**
 * The event names clients see (SSE `event:` field, timeline `type`), one per topic. They are part
 * of the public API: add, never rename.
 */
export const EVENT_TYPES = {
  taskRequested: 'task.requested',
  taskPlanned: 'task.planned',
  researchCompleted: 'research.completed',
  reviewCompleted: 'review.completed',
  recommendationReady: 'recommendation.ready',
  taskFailed: 'task.failed',
  taskCancelRequested: 'task.cancel-requested',
  taskProgress: 'task.progress',
} as const satisfies Record<TopicKey, string>;

export type EventType = (typeof EVENT_TYPES)[TopicKey];
export const ALL_EVENT_TYPES = Object.values(EVENT_TYPES) as EventType[];

/** One decoded event as the projection sees it: the topic it came from, its envelope facts and value. */
export type ProjectedEventOf<K extends TopicKey> = {
  readonly kind: K;
  readonly eventId: string;
  readonly tenantId: TenantId;
  readonly occurredAt: Date;
  readonly value: EventValue<Topics[K]>;
};

export type ProjectedEvent = { [K in TopicKey]: ProjectedEventOf<K> }[TopicKey];

export interface RoundState {
  round: number;
  draft: Draft | null;
  draftedAt: Date | null;
  verdict: 'approved' | 'revise' | null;
  critique: string | null;
  issues: string[];
  score: number | null;
  reviewedAt: Date | null;
}

export interface ResultState {
  summary: string;
  recommendations: Recommendation[];
  rounds: number;
  bestEffort: boolean;
  provider: string;
  completedAt: Date;
}

/**
 * One applied event in a task's history. `seq` is the task's version right after this event was
 * applied: 1, 2, 3… with no gaps, assigned in the same atomic write that changes the task, so it is
 * the SSE event id and the `Last-Event-ID` a client resumes from.
 */
export interface TimelineEntry {
  seq: number;
  eventId: string;
  type: EventType;
  at: Date;
  /** The task's status after this event. */
  status: TaskStatus;
  /** False when the event was recorded but changed no status (late, or behind the task's progress). */
  advanced: boolean;
  /** A small summary for clients; the full payload stays on the topic. */
  data: Record<string, unknown>;
}

export interface TaskState {
  taskId: string;
  tenantId: TenantId;
  userId: string | null;
  status: TaskStatus;
  /** The review round the task is in (0 before research starts). */
  round: number;
  terminal: boolean;
  request: TaskRequest | null;
  callbackUrl: string | null;
  plan: Plan | null;
  rounds: RoundState[];
  result: ResultState | null;
  /** `code` is null on tasks that failed before task.failed carried one. */
  failure: { stage: string; code: string | null; reason: string; at: Date } | null;
  cancellation: { reason: string | null; requestedAt: Date } | null;
  progress: { stage: string; message: string; at: Date } | null;
  provider: string | null;
  timeline: TimelineEntry[];
  /** How many events have been applied; the next event gets seq = version + 1. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

import { isTerminal, TASK_STATUSES, type TaskStatus } from '../task/status';
import { type TaskState } from '../task/task-state';
import { type TenantId } from '../task/tenant';

/*
 * Task lists laid out for reads by `_id` (see TaskListRepository and docs/adr/0009). A list is a
 * scope of one tenant: every task (`all`), one user's (`u:<user>`), one status's (`s:<status>`) or
 * one user's in one status (`u:<user>|s:<status>`). A task enters a scope as one entry document at
 * the scope's next position, so positions run 1, 2, 3... in the order tasks were listed, and a page
 * is the entries below a position, read by `_id`, newest first.
 */

/** What a list needs to say about a task; which of its scopes it enters. */
export interface ListFilter {
  readonly userId?: string | undefined;
  readonly status?: TaskStatus | undefined;
}

/** The list item's view of a task, as of the entry's write (final once `terminal`). */
export interface ListItem {
  readonly tenantId: TenantId;
  readonly userId: string | null;
  readonly status: TaskStatus;
  readonly terminal: boolean;
  /** The request's text (what a list shows of it). */
  readonly request: string | null;
  readonly provider: string | null;
  /** How many recommendations the result holds; null without a result. */
  readonly recommendations: number | null;
  /** The whole result, only in the completed scopes (the user-recommendations page shows it). */
  readonly result: TaskState['result'];
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly endedAt: Date | null;
}

/** One task in one scope, to be listed there. */
export interface Membership {
  readonly tenant: TenantId;
  readonly scope: string;
  readonly taskId: string;
  readonly item: ListItem;
  /**
   * The writer knows the task has never been in this scope (it enters a status for the first time),
   * so its marker is not read before the claim. Only a hint: if it is wrong the marker's insert
   * finds the task listed and the entry claimed for it stays dead.
   */
  readonly unlisted?: boolean;
}

/** A listed task: its position in the scope and its item. */
export interface ListedTask {
  readonly position: number;
  readonly taskId: string;
  readonly item: ListItem;
}

/** Positions are written with this many digits, so entry ids sort by position within a scope. */
const POSITION_DIGITS = 12;

const part = (text: string): string => encodeURIComponent(text);

/** The scope a list query reads; `status` filters that are not terminal are checked on read. */
export function scopeOf(filter: ListFilter): string {
  const user = filter.userId === undefined ? undefined : `u:${part(filter.userId)}`;
  const status = filter.status === undefined ? undefined : `s:${filter.status}`;
  if (user !== undefined && status !== undefined) return `${user}|${status}`;
  return user ?? status ?? 'all';
}

/** The status a scope holds its tasks in, if it is a status scope. */
export function statusOfScope(scope: string): TaskStatus | undefined {
  const match = /(?:^|\|)s:([a-z]+)$/.exec(scope);
  const status = match?.[1] as TaskStatus | undefined;
  return status !== undefined && (TASK_STATUSES as readonly string[]).includes(status) ? status : undefined;
}

/** Every `_id` of a scope starts with this (tenant and user ids are URI-encoded, so `|` only separates). */
export function scopePrefix(tenant: TenantId, scope: string): string {
  return `${part(tenant)}|${scope}`;
}

export function entryId(prefix: string, position: number): string {
  if (!Number.isSafeInteger(position) || position < 1 || position >= 10 ** POSITION_DIGITS) {
    throw new RangeError(`a list position must be an integer from 1, got ${position}`);
  }
  return `${prefix}|${String(position).padStart(POSITION_DIGITS, '0')}`;
}

/** The document that records which entry of the scope is the task's (the one readers show). */
export function markerId(prefix: string, taskId: string): string {
  return `${prefix}|t:${taskId}`;
}

/** The best-effort hint of a scope's newest position. */
export function headId(prefix: string): string {
  return `${prefix}|head`;
}

export function listItem(state: TaskState, withResult: boolean): ListItem {
  return {
    tenantId: state.tenantId,
    userId: state.userId,
    status: state.status,
    terminal: state.terminal,
    request: state.request?.query ?? null,
    provider: state.provider,
    recommendations: state.result ? state.result.recommendations.length : null,
    result: withResult ? state.result : null,
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    endedAt: state.endedAt,
  };
}

/** The scopes a task is in whatever its status: every task, and its user's. */
export function ownerScopes(userId: string | null): string[] {
  return userId === null ? ['all'] : ['all', scopeOf({ userId })];
}

/** The scopes of a task in `status`: the status's, and its user's in that status. */
export function statusScopes(userId: string | null, status: TaskStatus): string[] {
  return userId === null ? [scopeOf({ status })] : [scopeOf({ status }), scopeOf({ userId, status })];
}

/** The memberships of a task in `scopes`, each with the task's current item. */
export function memberships(state: TaskState, scopes: readonly string[]): Membership[] {
  return scopes.map((scope) => ({
    tenant: state.tenantId,
    scope,
    taskId: state.taskId,
    item: listItem(state, statusOfScope(scope) === 'completed'),
  }));
}

/** The statuses a task has been in (each may have left an entry), `accepted` always (its submission lists it there). */
export function statusesVisited(state: TaskState | null): Set<TaskStatus> {
  const seen = new Set<TaskStatus>(['accepted']);
  if (state === null) return seen;
  seen.add(state.status);
  for (const entry of state.timeline) seen.add(entry.status);
  return seen;
}

/** The statuses before the task's current one that it went through (each may have left an entry). */
export function statusesPassed(state: TaskState): TaskStatus[] {
  const seen = new Set<TaskStatus>(['accepted']);
  for (const entry of state.timeline) seen.add(entry.status);
  seen.delete(state.status);
  return [...seen].filter((status) => !isTerminal(status));
}

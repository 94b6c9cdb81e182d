import { type TaskState } from '../../task/task-state';
import {
  type Membership,
  memberships,
  ownerScopes,
  statusesPassed,
  statusesVisited,
  statusScopes,
} from '../task-list';
import { type TaskListRepository } from '../task-list.repository';

/** What one applied batch did to one task, as the lists need to know it. */
export interface TaskChange {
  /** The task as read before the batch (null: no document yet). */
  readonly before: TaskState | null;
  /** The task after the batch. */
  readonly after: TaskState;
  /**
   * True when some event of the batch was already in the log (a redelivery, maybe after a crash
   * between the log and the lists): the lists are then checked for the task's current state.
   */
  readonly redelivered: boolean;
}

/**
 * Keeps the task lists in step with the projection (see docs/adr/0009). Run after the task
 * documents are written, so a listed task can always be read. Per task:
 * - new to the projection (no document, or the submission's version 0): listed among every task
 *   and its user's, and in its status (the submission lists it already; then only markers are read);
 * - the status it is in, when the batch moved it there: listed in that status's scope and its
 *   user's in that status, with its item as of now (with the result in the completed scopes);
 * - when it ends: its entries in the scopes it was in get the final item, so readers take a list
 *   item from the entry alone and skip it, unread, in the statuses it has left.
 * Every step is idempotent (markers make a task's place in a scope a claim), so a redelivered batch
 * repeats them for the task's current state and finishes what a crash interrupted. The whole batch's
 * listings and final items go in one TaskListRepository.write(): on the happy path one insert
 * (entries and markers) and one update (live, heads, final items).
 */
export class ListProjection {
  constructor(private readonly lists: TaskListRepository) {}

  async project(changes: readonly TaskChange[]): Promise<void> {
    const enlist: Membership[] = [];
    const finalize: Membership[] = [];
    for (const { before, after, redelivered } of changes) {
      if (before !== null && before.tenantId !== after.tenantId) continue;
      const scopes: string[] = [];
      const first = before === null || before.version === 0;
      if (first || redelivered) scopes.push(...ownerScopes(after.userId));
      // Only the status the task is in now: one it entered and left within the batch lists nothing.
      if (first || redelivered || after.status !== before.status) {
        scopes.push(...statusScopes(after.userId, after.status));
      }
      // A status the task enters for the first time (no redelivery): nobody has listed it there, so
      // its markers are not read first.
      const unlisted = !redelivered && !statusesVisited(before).has(after.status);
      enlist.push(
        ...memberships(after, scopes).map((m) =>
          unlisted && statusScopes(after.userId, after.status).includes(m.scope) ? { ...m, unlisted } : m,
        ),
      );
      if (after.terminal && (before?.terminal !== true || redelivered)) {
        finalize.push(
          ...memberships(after, [
            ...ownerScopes(after.userId),
            ...statusesPassed(after).flatMap((status) => statusScopes(after.userId, status)),
          ]),
        );
      }
    }
    if (enlist.length > 0 || finalize.length > 0) await this.lists.write(enlist, finalize);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type TopicKey } from '@tributary/contracts';
import { type TenantId, tenantId } from '../common/tenant';
import { TaskEventRepository } from '../persistence/task-event.repository';
import { type TaskEventDocument, taskEventId } from '../persistence/task-event.entity';
import { TaskRepository } from '../persistence/task.repository';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState, type TimelineEntry } from './task-state';

/** The `task_events` row that claims `entry.seq` of a task for `event`. */
export function claimRow(
  state: Pick<TaskState, 'tenantId' | 'taskId'>,
  entry: TimelineEntry,
  event: ProjectedEvent,
): TaskEventDocument {
  return {
    _id: taskEventId(state.taskId, entry.seq),
    tenantId: state.tenantId,
    taskId: state.taskId,
    ...entry,
    kind: event.kind,
    value: event.value,
  };
}

/** The event a row recorded, as the projection received it. */
export function storedEvent(row: TaskEventDocument): ProjectedEvent {
  if (typeof row.kind !== 'string' || typeof row.value !== 'object' || row.value === null) {
    throw new Error(`task_events row ${row._id} carries no event to reapply`);
  }
  return {
    kind: row.kind satisfies TopicKey,
    eventId: row.eventId,
    tenantId: tenantId(row.tenantId),
    occurredAt: new Date(row.at),
    value: row.value,
  } as unknown as ProjectedEvent;
}

/**
 * Reapplies a claimed row to the state right before it. The reducer is deterministic, so this gives
 * the state the claimer computed; a row that does not continue `state` means the log is broken.
 */
export function replay(state: TaskState | null, row: TaskEventDocument): TaskState {
  const expected = (state?.version ?? 0) + 1;
  const outcome = applyEvent(state, storedEvent(row));
  if (
    row.seq !== expected ||
    outcome.kind !== 'applied' ||
    outcome.entry.seq !== row.seq ||
    outcome.state.tenantId !== row.tenantId
  ) {
    throw new Error(
      `task_events row ${row._id} (event ${row.eventId}) does not continue task ${row.taskId} at version ${expected - 1}`,
    );
  }
  return outcome.state;
}

/**
 * A task as its log has it. The task document is a snapshot after its first `version` events; the
 * rows of `task_events` are the log, and they can be a little ahead of the snapshot (a claim whose
 * task write has not landed yet, or never will because its writer died). Reading a task is its
 * document by `_id`, then the rows after its version by `_id` (normally one read that finds nothing),
 * each reapplied through the reducer: reads never go back in time, and a claim is visible as soon as
 * it is made, whoever made it.
 */
@Injectable()
export class TaskLog {
  constructor(
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
  ) {}

  /** `state` (null: no document) with every claimed row after its version applied. */
  async rollForward(state: TaskState | null, taskId: string): Promise<TaskState | null> {
    let current = state;
    for (;;) {
      const row = await this.events.get(taskId, (current?.version ?? 0) + 1);
      if (row === null) return current;
      current = replay(current, row);
    }
  }

  /** The task if it exists for this tenant: its document plus the claims after it. */
  async current(tenant: TenantId, taskId: string): Promise<TaskState | null> {
    const stored = await this.tasks.findAnyTenant(taskId);
    if (stored !== null && stored.tenantId !== tenant) return null;
    const state = await this.rollForward(stored, taskId);
    return state?.tenantId === tenant ? state : null;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { replay } from '../task/log';
import { type TaskState } from '../task/task-state';
import { type TenantId } from '../task/tenant';
import { TaskEventRepository } from './task-event.repository';
import { TaskRepository } from './task.repository';

/**
 * Reads a task's current state, as its log has it. The task document is a snapshot after its first `version` events; the
 * rows of `task_events` are the log, and they can be a little ahead of the snapshot (a claim whose
 * task write has not landed yet, or never will because its writer died). Reading a task is its
 * document by `_id`, then the rows after its version by `_id` (normally one read that finds nothing),
 * each reapplied through the reducer: reads never go back in time, and a claim is visible as soon as
 * it is made, whoever made it.
 */
@Injectable()
export class TaskReader {
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

import { type TaskRequest } from '@tributary/contracts';
import { type TaskState } from './task-state';
import { type TenantId } from './tenant';

/** A task before any event is applied (version 0) and before anything is known about its request. */
export function newTask(taskId: string, tenant: TenantId, at: Date): TaskState {
  return {
    taskId,
    tenantId: tenant,
    userId: null,
    status: 'accepted',
    round: 0,
    terminal: false,
    request: null,
    callbackUrl: null,
    plan: null,
    rounds: [],
    result: null,
    failure: null,
    cancellation: null,
    progress: null,
    provider: null,
    timeline: [],
    version: 0,
    createdAt: at,
    updatedAt: at,
    endedAt: null,
  };
}

/**
 * A task as the API accepts it: what a submission stores before it publishes task.requested, so that
 * a read right after the 202 finds the task. The event, once applied, becomes seq 1.
 */
export function acceptedTask(
  taskId: string,
  tenant: TenantId,
  request: TaskRequest,
  callbackUrl: string | null,
  now: Date,
): TaskState {
  return { ...newTask(taskId, tenant, now), userId: request.userId, request, callbackUrl };
}

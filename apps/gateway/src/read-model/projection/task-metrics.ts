import { TASK_FAILURE_CODES } from '@tributary/contracts';
import { taskMetrics } from '@tributary/metrics';
import { type TaskEventRow } from '../../task/log';
import { isTerminal } from '../../task/status';
import { type TaskState } from '../../task/task-state';

/**
 * Counts what one claimed row did to its task: a submission (its task.requested) or the task's end
 * (the row that made it terminal, with its duration from submission). A row is claimed in the log
 * by exactly one applier, once, so every gateway instance together counts each task once.
 */
export function recordTaskMetrics(before: TaskState | null, row: TaskEventRow, after: TaskState): void {
  if (row.kind === 'taskRequested') taskMetrics.submitted(after.tenantId);
  if (before?.terminal === true || !after.terminal || !isTerminal(after.status)) return;
  const seconds =
    after.endedAt === null ? null : (after.endedAt.getTime() - after.createdAt.getTime()) / 1000;
  taskMetrics.ended(after.tenantId, after.status, after.failure?.code ?? null, seconds, TASK_FAILURE_CODES);
}

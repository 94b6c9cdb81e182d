import { taskLinks } from '../http/links';
import { isTerminal, type TaskStatus, type TerminalStatus } from '../task/status';
import { type TaskState } from '../task/task-state';
import { type WebhookEventType } from './webhook-delivery.repository';

/** The webhook type of a task that ended with `status`. */
export function webhookType(status: TerminalStatus): WebhookEventType {
  return `task.${status}`;
}

export function webhookTypeOf(status: TaskStatus): WebhookEventType | null {
  return isTerminal(status) ? webhookType(status) : null;
}

/** `msg_` and the task's ULID: stable for the task's one webhook, so receivers can drop repeats. */
export function webhookIdOf(taskId: string): string {
  return `msg_${taskId.replace(/^tsk_/, '')}`;
}

const iso = (date: Date | null | undefined): string | null => (date ? new Date(date).toISOString() : null);

/**
 * The body of a task's webhook, in the Standard Webhooks shape `{ type, timestamp, data }`. Built
 * from the ended task only (nothing that changes after the end), so every attempt sends the same bytes.
 */
export function webhookBody(task: TaskState, type: WebhookEventType): string {
  const endedAt = iso(task.endedAt) ?? iso(task.updatedAt)!;
  return JSON.stringify({
    type,
    timestamp: endedAt,
    data: {
      taskId: task.taskId,
      status: task.status,
      userId: task.userId,
      endedAt,
      result: task.result
        ? {
            summary: task.result.summary,
            recommendations: task.result.recommendations,
            bestEffort: task.result.bestEffort,
            provider: task.result.provider,
          }
        : null,
      failure: task.failure
        ? { stage: task.failure.stage, code: task.failure.code ?? null, reason: task.failure.reason }
        : null,
      cancellation: task.cancellation ? { reason: task.cancellation.reason } : null,
      links: taskLinks(task.taskId),
    },
  });
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ROOT_EVENT_INDEX, type TaskCancelRequested, TOPICS } from '@tributary/contracts';
import { taskLinks } from '../http/links';
import { ApiProblem, PROBLEM_TYPES } from '../http/problem';
import { TaskReader } from '../read-model/task-reader';
import { type TenantId } from '../task/tenant';
import { type CancelAccepted } from './submission.schemas';
import { PublishNotSentError, TASK_EVENT_PUBLISHER, type TaskEventPublisher } from './task-event-publisher';

/**
 * Asks the agents to stop. The answer is 202: the task becomes `cancelled` when the projection
 * applies the cancel event (unless another terminal event got there first; the first one wins).
 */
@Injectable()
export class CancelTaskUseCase {
  private readonly logger = new Logger(CancelTaskUseCase.name);

  constructor(
    @Inject(TaskReader) private readonly reader: TaskReader,
    @Inject(TASK_EVENT_PUBLISHER) private readonly publisher: TaskEventPublisher,
  ) {}

  async execute(tenant: TenantId, taskId: string, reason: string | undefined): Promise<CancelAccepted> {
    const task = await this.reader.current(tenant, taskId);
    if (!task) throw ApiProblem.notFound(`No task ${taskId}.`);
    if (task.terminal)
      throw ApiProblem.conflict(
        `Task ${taskId} has already ended (${task.status}); there is nothing to cancel.`,
      );
    const event: TaskCancelRequested = {
      taskId,
      tenantId: tenant,
      reason: reason ?? null,
      requestedAt: Date.now(),
    };
    try {
      // High priority: a cancellation should overtake the backlog it is meant to cut short.
      await this.publisher.publish(TOPICS.taskCancelRequested, event, {
        priority: 'high',
        rootIndex: ROOT_EVENT_INDEX.cancelRequest,
        rootKey: 'cancel',
      });
    } catch (error) {
      this.logger.error({ msg: 'could not publish task.cancel-requested', taskId, err: String(error) });
      if (error instanceof PublishNotSentError) {
        throw ApiProblem.unavailable(
          'The cancellation could not be handed to the agents (Kafka was not reachable); nothing was sent. Try again.',
          5,
          error,
        );
      }
      // Cancelling twice is harmless (the first terminal event wins), so the client may simply retry.
      throw new ApiProblem({
        type: PROBLEM_TYPES.outcomeUnknown,
        status: 503,
        title: 'Outcome unknown',
        detail: `Kafka did not confirm the cancellation of task ${taskId} in time: it may have been sent. Cancelling again is safe.`,
        headers: { 'retry-after': '5' },
        taskId,
        cause: error,
      });
    }
    return { taskId, status: task.status, cancelRequested: true, links: taskLinks(taskId) };
  }
}

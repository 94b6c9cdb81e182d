import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  deadlineExceededReason,
  type Envelope,
  ROOT_EVENT_INDEX,
  type TaskFailed,
  TOPICS,
} from '@tributary/contracts';
import { RetriableError } from '@tributary/platform';
import { activeSpan, TRIBUTARY } from '@tributary/tracing';
import { EndedHere } from '../read-model/ended-here';
import { TaskReader } from '../read-model/task-reader';
import { TASK_EVENT_PUBLISHER, type TaskEventPublisher } from '../submission/task-event-publisher';
import { type TaskStatus } from '../task/status';
import { type TenantId } from '../task/tenant';

export interface EndOverdueTask {
  readonly tenant: TenantId;
  readonly taskId: string;
  readonly deadlineAt: number;
  /** The task's task.requested: the failure's id derives from it, so a repeated check publishes the same event. */
  readonly requested: Envelope;
}

/** The stage a task was waiting in, as task.failed names stages. */
function stageOf(status: TaskStatus): string {
  switch (status) {
    case 'accepted':
    case 'planning':
      return 'planning';
    case 'researching':
      return 'researching';
    case 'reviewing':
      return 'reviewing';
    case 'completed':
    case 'failed':
    case 'cancelled':
      // Not reached: an ended task is not failed again.
      return status;
  }
}

/**
 * Ends a task that is past its deadline and grace, unless the read model shows it ended: then an
 * agent ended it (at the deadline, when it held the task), or it completed, failed or was cancelled.
 * The failure is a root event of the task (ROOT_EVENT_INDEX.deadline): it is concurrent with
 * whatever stage the task was stuck in, as a cancel request is. A task the read model does not have
 * yet (the projection behind) is checked again later through the group's retry topic.
 */
@Injectable()
export class EndOverdueTaskUseCase {
  private readonly logger = new Logger(EndOverdueTaskUseCase.name);

  constructor(
    @Inject(TaskReader) private readonly reader: TaskReader,
    @Inject(TASK_EVENT_PUBLISHER) private readonly publisher: TaskEventPublisher,
    @Inject(EndedHere) private readonly endedHere: EndedHere,
  ) {}

  async execute({ tenant, taskId, deadlineAt, requested }: EndOverdueTask): Promise<'ended' | 'had-ended'> {
    // Most tasks ended long before their deadline, and the projection of this process wrote that end:
    // nothing to read.
    if (this.endedHere.has(tenant, taskId)) {
      this.logger.debug(`task ${taskId}: past its deadline, had ended (its end projected here)`);
      return 'had-ended';
    }
    const task = await this.reader.current(tenant, taskId);
    if (task === null) {
      throw new RetriableError(`task ${taskId} is past its deadline but not in the read model yet`, {
        taskId,
      });
    }
    if (task.terminal) {
      this.logger.debug(`task ${taskId}: past its deadline, had ended (${task.status})`);
      return 'had-ended';
    }
    const failed: TaskFailed = {
      taskId,
      tenantId: tenant,
      stage: stageOf(task.status),
      code: 'deadline-exceeded',
      reason: deadlineExceededReason(deadlineAt),
      failedAt: Date.now(),
    };
    await this.publisher.publish(TOPICS.taskFailed, failed, {
      causedBy: requested,
      rootIndex: ROOT_EVENT_INDEX.deadline,
    });
    // The deadline consumer's process span (in the task's trace) says the task ended here.
    activeSpan()?.setAttribute(TRIBUTARY.failureCode, 'deadline-exceeded');
    this.logger.warn(
      `task ${taskId}: past its deadline while ${task.status}; ended failed (deadline-exceeded)`,
    );
    return 'ended';
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { type TaskRequest, type TaskRequested, TOPICS } from '@tributary/contracts';
import { mintTaskId } from '../../common/ids';
import { ApiProblem } from '../../common/problem';
import { type TenantId } from '../../common/tenant';
import { TASK_EVENT_PUBLISHER, type TaskEventPublisher } from '../../messaging/task-event-publisher';
import { TaskRepository } from '../../persistence/task.repository';
import { UserProfileRepository } from '../../persistence/user-profile.repository';
import { type TaskState } from '../../projection/task-state';
import { type SubmitTaskBody, type TaskAccepted } from '../task.schemas';
import { taskLinks } from '../task.views';

export interface SubmitTaskCommand {
  readonly tenant: TenantId;
  readonly body: SubmitTaskBody;
}

export function toTaskRequest(body: SubmitTaskBody): TaskRequest {
  const c = body.constraints;
  return {
    userId: body.userId,
    query: body.request,
    constraints: {
      categories: c?.categories ?? [],
      minPrice: c?.minPrice ?? null,
      maxPrice: c?.maxPrice ?? null,
      excludeItemIds: c?.excludeItemIds ?? [],
      excludeTags: c?.excludeTags ?? [],
    },
    maxResults: body.maxResults,
    priority: body.priority,
  };
}

export function acceptedTask(
  taskId: string,
  tenant: TenantId,
  request: TaskRequest,
  callbackUrl: string | null,
  now: Date,
): TaskState {
  return {
    taskId,
    tenantId: tenant,
    userId: request.userId,
    status: 'accepted',
    round: 0,
    terminal: false,
    request,
    callbackUrl,
    plan: null,
    rounds: [],
    result: null,
    failure: null,
    cancellation: null,
    progress: null,
    provider: null,
    timeline: [],
    version: 0,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  };
}

/**
 * Accepts a task: the user must exist; the task document is written before the event is
 * published, so a GET right after the 202 finds it. If publishing fails the document is removed
 * (only while no event has touched it) and the client gets 503 with Retry-After: a task the agents
 * will never see must not sit in `accepted` forever.
 */
@Injectable()
export class SubmitTaskUseCase {
  private readonly logger = new Logger(SubmitTaskUseCase.name);

  constructor(
    @Inject(UserProfileRepository) private readonly profiles: UserProfileRepository,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TASK_EVENT_PUBLISHER) private readonly publisher: TaskEventPublisher,
  ) {}

  async execute({ tenant, body }: SubmitTaskCommand): Promise<TaskAccepted> {
    if (!(await this.profiles.exists(tenant, body.userId))) throw ApiProblem.unknownUser(body.userId);

    const taskId = mintTaskId();
    const now = new Date();
    const request = toTaskRequest(body);
    const callbackUrl = body.callbackUrl ?? null;
    await this.tasks.insertAccepted(acceptedTask(taskId, tenant, request, callbackUrl, now));
    const event: TaskRequested = {
      taskId,
      tenantId: tenant,
      request,
      callbackUrl,
      requestedAt: now.getTime(),
    };
    try {
      await this.publisher.publish(TOPICS.taskRequested, event);
    } catch (error) {
      this.logger.error({
        msg: 'could not publish task.requested; withdrawing the task',
        taskId,
        err: String(error),
      });
      await this.tasks.deleteUnconfirmed(tenant, taskId).catch((cleanup: unknown) => {
        this.logger.error({ msg: 'could not withdraw an unpublished task', taskId, err: String(cleanup) });
      });
      throw ApiProblem.unavailable(
        'The task could not be handed to the agents (Kafka did not acknowledge it); nothing was submitted. Try again.',
        5,
        error,
      );
    }
    return { taskId, status: 'accepted', links: taskLinks(taskId) };
  }
}

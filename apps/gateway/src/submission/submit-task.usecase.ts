import { Inject, Injectable, Logger } from '@nestjs/common';
import { type DeadlineConfig, type TributaryConfig } from '@tributary/config';
import { type TaskRequest, type TaskRequested, TOPICS } from '@tributary/contracts';
import { isDuplicateKey } from '@tributary/platform';
import { taskLinks } from '../http/links';
import { ApiProblem } from '../http/problem';
import { TaskRepository } from '../read-model/task.repository';
import { UserProfileRepository } from '../read-model/user-profile.repository';
import { acceptedTask } from '../task/accepted-task';
import { mintTaskId } from '../task/ids';
import { type TenantId } from '../task/tenant';
import { IdempotentSubmission } from './idempotent-submission';
import { InFlightRepository } from './in-flight.repository';
import { tooManyTasks } from './submission-problems';
import { type SubmitTaskBody, type TaskAccepted } from './submission.schemas';
import { PublishTimeoutError, TASK_EVENT_PUBLISHER, type TaskEventPublisher } from './task-event-publisher';

export interface SubmitTaskCommand {
  readonly tenant: TenantId;
  readonly body: SubmitTaskBody;
  /** The `Idempotency-Key` header, if sent. */
  readonly idempotencyKey?: string | undefined;
}

/** Limits on submissions; the in-flight cap is 0 (none) when auth is disabled. */
export interface SubmitLimits {
  readonly maxInFlightTasks: number;
  /** A task's deadline when the request names none, and the range a request's own must be in. */
  readonly deadlines: Pick<DeadlineConfig, 'defaultMs' | 'minMs' | 'maxMs'>;
}

export const SUBMIT_LIMITS = Symbol('SUBMIT_LIMITS');

export function submitLimits(config: TributaryConfig): SubmitLimits {
  return {
    maxInFlightTasks: config.gateway.auth.mode === 'required' ? config.gateway.limits.maxInFlightTasks : 0,
    deadlines: config.deadlines,
  };
}

/** The body's `deadline` (seconds) checked against the configured range: a 400 outside it. */
export function deadlineMs(body: SubmitTaskBody, limits: SubmitLimits['deadlines']): number {
  if (body.deadline === undefined) return limits.defaultMs;
  const ms = body.deadline * 1_000;
  if (ms < limits.minMs || ms > limits.maxMs) {
    const [min, max] = [Math.ceil(limits.minMs / 1_000), Math.floor(limits.maxMs / 1_000)];
    const message = `must be between ${min} and ${max} seconds`;
    throw ApiProblem.validation(`The request body has a problem: deadline: ${message}.`, [
      { path: 'deadline', message },
    ]);
  }
  return ms;
}

export function toTaskRequest(body: SubmitTaskBody, deadlineAt: number): TaskRequest {
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
    deadlineAt,
  };
}

/**
 * Accepts a task: with an `Idempotency-Key`, a repeated request answers with the task the first one
 * created (see IdempotentSubmission); the user must exist; the tenant must be under its in-flight
 * cap (else 429). The task document is written before the event is published, so a GET right after
 * the 202 finds it. If publishing fails the document is removed (only while no event has touched
 * it) and the client gets 503 with Retry-After: a task the agents will never see must not sit in
 * `accepted` forever. The event carries the request's priority in its envelope, and every event
 * the agents emit for the task inherits it.
 */
@Injectable()
export class SubmitTaskUseCase {
  private readonly logger = new Logger(SubmitTaskUseCase.name);

  constructor(
    @Inject(UserProfileRepository) private readonly profiles: UserProfileRepository,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TASK_EVENT_PUBLISHER) private readonly publisher: TaskEventPublisher,
    @Inject(InFlightRepository) private readonly inFlight: InFlightRepository,
    @Inject(IdempotentSubmission) private readonly idempotency: IdempotentSubmission,
    @Inject(SUBMIT_LIMITS) private readonly limits: SubmitLimits,
  ) {}

  async execute({ tenant, body, idempotencyKey }: SubmitTaskCommand): Promise<TaskAccepted> {
    // Refused before anything is claimed (an idempotency key, an in-flight slot).
    deadlineMs(body, this.limits.deadlines);
    const taskId = mintTaskId();
    if (idempotencyKey === undefined) return this.submit(tenant, body, taskId, false);
    return this.idempotency.run(tenant, idempotencyKey, body, taskId, (id, resumed) =>
      this.submit(tenant, body, id, resumed),
    );
  }

  /** `resumed`: an earlier request with the same idempotency key got this task id and may have got further. */
  private async submit(
    tenant: TenantId,
    body: SubmitTaskBody,
    taskId: string,
    resumed: boolean,
  ): Promise<TaskAccepted> {
    if (resumed) {
      const existing = await this.tasks.findById(tenant, taskId);
      // An event was applied: the first request's publish landed; nothing to do again.
      if (existing && existing.version > 0) return { taskId, status: 'accepted', links: taskLinks(taskId) };
    }
    if (!(await this.profiles.exists(tenant, body.userId))) throw ApiProblem.unknownUser(body.userId);
    const cap = this.limits.maxInFlightTasks;
    if (cap > 0) {
      const admission = await this.inFlight.admit(tenant, taskId, cap, resumed);
      if (!admission.admitted) throw tooManyTasks(cap, 5);
    }

    const now = new Date();
    const request = toTaskRequest(body, now.getTime() + deadlineMs(body, this.limits.deadlines));
    const callbackUrl = body.callbackUrl ?? null;
    try {
      await this.tasks.insertAccepted(acceptedTask(taskId, tenant, request, callbackUrl, now));
    } catch (error) {
      if (!(resumed && isDuplicateKey(error))) throw error;
    }
    const event: TaskRequested = {
      taskId,
      tenantId: tenant,
      request,
      callbackUrl,
      requestedAt: now.getTime(),
    };
    try {
      await this.publisher.publish(TOPICS.taskRequested, event, {
        priority: body.priority,
        rootKey: 'submission',
      });
    } catch (error) {
      this.logger.error({
        msg: 'could not publish task.requested; withdrawing the task',
        taskId,
        err: String(error),
      });
      await this.tasks.deleteUnconfirmed(tenant, taskId).catch((cleanup: unknown) => {
        this.logger.error({ msg: 'could not withdraw an unpublished task', taskId, err: String(cleanup) });
      });
      if (cap > 0) {
        await this.inFlight.release(tenant, taskId).catch((cleanup: unknown) => {
          this.logger.error({ msg: 'could not free the in-flight slot', taskId, err: String(cleanup) });
        });
      }
      throw ApiProblem.unavailable(
        error instanceof PublishTimeoutError
          ? 'Kafka did not acknowledge the task in time, so it may or may not have been submitted. Retry with the same Idempotency-Key: the retry answers with the task if it was submitted and submits it once if not.'
          : 'The task could not be handed to the agents (Kafka refused it); nothing was submitted. Try again.',
        5,
        error,
      );
    }
    return { taskId, status: 'accepted', links: taskLinks(taskId) };
  }
}

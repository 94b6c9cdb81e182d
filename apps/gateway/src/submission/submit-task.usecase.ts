import { Inject, Injectable, Logger } from '@nestjs/common';
import { type DeadlineConfig, type TributaryConfig } from '@tributary/config';
import { type TaskRequest, type TaskRequested, TOPICS } from '@tributary/contracts';
import { isDuplicateKey } from '@tributary/platform';
import { taskLinks } from '../http/links';
import { ApiProblem } from '../http/problem';
import { TaskRepository } from '../read-model/task.repository';
import { UserProfileRepository } from '../read-model/user-profile.repository';
import { AcceptedHere } from '../read-model/accepted-here';
import { acceptedTask } from '../task/accepted-task';
import { mintTaskId } from '../task/ids';
import { type TenantId } from '../task/tenant';
import { IdempotentSubmission } from './idempotent-submission';
import { InFlightRepository } from './in-flight.repository';
import { SubmissionWithdrawn, submissionOutcomeUnknown, tooManyTasks } from './submission-problems';
import { type SubmitTaskBody, type TaskAccepted } from './submission.schemas';
import { PublishNotSentError, TASK_EVENT_PUBLISHER, type TaskEventPublisher } from './task-event-publisher';

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

/** The root key of task.requested: a republished submission carries the same event id (ADR 0004). */
export const SUBMISSION_ROOT_KEY = 'submission';

/** Seconds a client is asked to wait after Kafka did not take or confirm a task. */
const PUBLISH_RETRY_AFTER_SECONDS = 5;

/** What one attempt at a submission knows about earlier ones (same idempotency key). */
interface Attempt {
  /** An earlier request with the same idempotency key got this task id and may have got further. */
  readonly resumed: boolean;
  /** Frees the idempotency key; absent without one. */
  readonly releaseKey?: () => Promise<void>;
}

/**
 * Accepts a task: with an `Idempotency-Key`, a repeated request answers with the task the first one
 * created (see IdempotentSubmission); the user must exist; the tenant must be under its in-flight
 * cap (else 429). The task document is written before the event is published, so a GET right after
 * the 202 finds it. The event carries the request's priority in its envelope, and every event the
 * agents emit for the task inherits it; its id derives from the task id, so publishing it again gives
 * the same id and consumers drop the copy.
 *
 * If the publish fails, what happens depends on what is known:
 * - the event was certainly not sent (it failed before any request to Kafka): the task is withdrawn
 *   (document, idempotency key, in-flight slot) and the answer is 503 `unavailable`: nothing was
 *   submitted, a retry is a new request;
 * - Kafka did not confirm in time, or the request failed: the event may land. The task, its slot and
 *   its idempotency key are kept, and the answer is 503 `outcome-unknown` with the task id; a retry
 *   with the same key publishes the same event again (same id) and answers 202 with that task.
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
    @Inject(AcceptedHere) private readonly acceptedHere: AcceptedHere,
  ) {}

  async execute({ tenant, body, idempotencyKey }: SubmitTaskCommand): Promise<TaskAccepted> {
    // Refused before anything is claimed (an idempotency key, an in-flight slot).
    deadlineMs(body, this.limits.deadlines);
    const taskId = mintTaskId();
    if (idempotencyKey === undefined) return this.submit(tenant, body, taskId, { resumed: false });
    return this.idempotency.run(tenant, idempotencyKey, body, taskId, (id, resumed, releaseKey) =>
      this.submit(tenant, body, id, { resumed, releaseKey }),
    );
  }

  private async submit(
    tenant: TenantId,
    body: SubmitTaskBody,
    taskId: string,
    attempt: Attempt,
  ): Promise<TaskAccepted> {
    let now = new Date();
    if (attempt.resumed) {
      const existing = await this.tasks.findById(tenant, taskId);
      // An event was applied: the first request's publish landed; nothing to do again.
      if (existing && existing.version > 0) return { taskId, status: 'accepted', links: taskLinks(taskId) };
      // Publish again what the first request published: the same value under the same event id.
      if (existing) now = existing.createdAt;
    }
    if (!(await this.profiles.exists(tenant, body.userId))) throw ApiProblem.unknownUser(body.userId);
    const cap = this.limits.maxInFlightTasks;
    if (cap > 0) {
      const admission = await this.inFlight.admit(tenant, taskId, cap, attempt.resumed);
      if (!admission.admitted) throw tooManyTasks(cap, 5);
    }

    const request = toTaskRequest(body, now.getTime() + deadlineMs(body, this.limits.deadlines));
    const callbackUrl = body.callbackUrl ?? null;
    try {
      await this.tasks.insertAccepted(acceptedTask(taskId, tenant, request, callbackUrl, now));
    } catch (error) {
      if (!(attempt.resumed && isDuplicateKey(error))) throw error;
    }
    // Before the publish, so its end is never seen first. Not for a resumed submission: its first
    // attempt may have run on a gateway with another in-flight cap.
    if (!attempt.resumed) {
      this.acceptedHere.remember(taskId, { tenantId: tenant, acceptedAt: now, callbackUrl, ticket: cap > 0 });
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
        rootKey: SUBMISSION_ROOT_KEY,
      });
    } catch (error) {
      // A resumed task's first publish may have landed: it is never withdrawn.
      if (error instanceof PublishNotSentError && !attempt.resumed) {
        throw await this.withdraw(tenant, taskId, cap, attempt, error);
      }
      this.logger.warn({
        msg: 'task.requested not confirmed by Kafka; the task is kept, its outcome unknown',
        taskId,
        err: String(error),
      });
      throw submissionOutcomeUnknown(
        taskId,
        attempt.releaseKey !== undefined,
        PUBLISH_RETRY_AFTER_SECONDS,
        error,
      );
    }
    return { taskId, status: 'accepted', links: taskLinks(taskId) };
  }

  /**
   * Takes back a task whose event was certainly not published, so it does not sit in `accepted`
   * forever: its document, then its idempotency key, then its in-flight slot. Each step runs only if
   * the one before succeeded, so a failure part-way leaves a task its key resumes (with its slot),
   * never one that runs without a slot; a slot left taken is the safe direction.
   */
  private async withdraw(
    tenant: TenantId,
    taskId: string,
    cap: number,
    attempt: Attempt,
    cause: unknown,
  ): Promise<ApiProblem> {
    this.logger.error({
      msg: 'could not publish task.requested; withdrawing the task',
      taskId,
      err: String(cause),
    });
    this.acceptedHere.forget(taskId);
    try {
      await this.tasks.deleteUnconfirmed(tenant, taskId);
      await attempt.releaseKey?.();
    } catch (cleanup) {
      this.logger.error({ msg: 'could not withdraw an unpublished task', taskId, err: String(cleanup) });
      return ApiProblem.unavailable(
        'The task could not be handed to the agents (Kafka was not reachable). Retry with the same Idempotency-Key.',
        PUBLISH_RETRY_AFTER_SECONDS,
        cause,
      );
    }
    if (cap > 0) {
      await this.inFlight.release(tenant, taskId).catch((cleanup: unknown) => {
        this.logger.error({ msg: 'could not free the in-flight slot', taskId, err: String(cleanup) });
      });
    }
    return new SubmissionWithdrawn(PUBLISH_RETRY_AFTER_SECONDS, cause);
  }
}

import { ApiProblem, PROBLEM_TYPES } from '../http/problem';

export function tooManyTasks(limit: number, retryAfterSeconds: number): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.tooManyTasks,
    status: 429,
    title: 'Too many tasks in flight',
    detail: `The tenant already has ${limit} tasks running, its limit; submit again when some have ended.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function idempotencyMismatch(key: string): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.idempotencyMismatch,
    status: 409,
    title: 'Idempotency key reused with another request',
    detail: `The Idempotency-Key "${key}" was used with a different request body; use a new key for a new request.`,
  });
}

export function idempotencyInProgress(key: string, retryAfterSeconds: number): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.idempotencyInProgress,
    status: 409,
    title: 'A request with this idempotency key is still in progress',
    detail: `The first request with Idempotency-Key "${key}" has not finished yet; retry after ${retryAfterSeconds} s.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/**
 * Kafka certainly did not get the task's event, and the task was taken back: nothing was submitted
 * and the idempotency key (if any) is free again, so any retry is a new request.
 */
export class SubmissionWithdrawn extends ApiProblem {
  constructor(retryAfterSeconds: number, cause: unknown) {
    super({
      type: PROBLEM_TYPES.unavailable,
      status: 503,
      title: 'Service unavailable',
      detail:
        'The task could not be handed to the agents (Kafka was not reachable); nothing was submitted. Try again.',
      headers: { 'retry-after': String(retryAfterSeconds) },
      cause,
    });
  }
}

/**
 * Kafka did not confirm the task's event in time: it may have been submitted, or may still be. The
 * task is kept (it runs if the event lands); with an Idempotency-Key a retry finishes it.
 */
export function submissionOutcomeUnknown(
  taskId: string,
  keyed: boolean,
  retryAfterSeconds: number,
  cause: unknown,
): ApiProblem {
  return new ApiProblem({
    type: PROBLEM_TYPES.outcomeUnknown,
    status: 503,
    title: 'Outcome unknown',
    detail: keyed
      ? `Kafka did not confirm task ${taskId} in time: it may have been submitted. Retry with the same Idempotency-Key: the retry completes this task (the same id) and creates no other.`
      : `Kafka did not confirm task ${taskId} in time: it may have been submitted. Read the task before submitting again (send an Idempotency-Key to make retries safe).`,
    headers: { 'retry-after': String(retryAfterSeconds) },
    taskId,
    cause,
  });
}

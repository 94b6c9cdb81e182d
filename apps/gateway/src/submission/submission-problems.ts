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

/**
 * Why a task failed, as `task.failed`'s `code`: stable names a client may branch on, beside the
 * event's `reason`, one sentence written for people. Neither carries an error's own text; the
 * details of a failure go to the logs of the service that saw it. Add codes, never rename one.
 */
export const TASK_FAILURE_CODES = [
  /** The task did not end before its deadline. */
  'deadline-exceeded',
  /** An event of the task could not be read (its bytes or its envelope are broken). */
  'undecodable-event',
  /** The user the task is for has no profile. */
  'unknown-user',
  /** No draft met the request's constraints within the review rounds. */
  'no-acceptable-draft',
  /** The language model's endpoint refused the request (a 4xx other than 408 and 429). */
  'llm-refused',
  /** The language model's answer could not be used, also after a repair round. */
  'llm-unusable-output',
  /** A step kept failing with transient errors (a dependency down) until its attempts ran out. */
  'retries-exhausted',
  /** Anything else: a defect, described in the logs. */
  'internal-error',
  /** A replay: the call journal of the recording has no answer for a call, and live calls were not allowed. */
  'replay-journal-miss',
  /** A replay: a call the journal could not answer would have gone past the replay's budget of live calls. */
  'replay-llm-budget-spent',
] as const;

export type TaskFailureCode = (typeof TASK_FAILURE_CODES)[number];

export function isTaskFailureCode(value: unknown): value is TaskFailureCode {
  return (TASK_FAILURE_CODES as readonly unknown[]).includes(value);
}

/** The reason of a `deadline-exceeded` failure, the same whichever service ends the task. */
export function deadlineExceededReason(deadlineAt: number): string {
  return `The task did not finish before its deadline (${new Date(deadlineAt).toISOString()}).`;
}

import { deadlineExceededReason, type TaskFailureCode } from '@tributary/contracts';
import { LlmOutputError, LlmRequestError } from '@tributary/llm';
import { isRetriable, PermanentError, type TributaryErrorOptions } from '@tributary/platform';

/** What a client is told when its task fails: a stable code and one sentence of ours. */
export interface PublicFailure {
  readonly code: TaskFailureCode;
  readonly reason: string;
}

/**
 * Thrown by a step's work when the task cannot succeed, with what its client is told. The error's
 * own message (what the logs show) may say more than the public reason.
 */
export class TaskFailure extends PermanentError {
  constructor(
    readonly code: TaskFailureCode,
    readonly publicReason: string,
    options: TributaryErrorOptions & { readonly detail?: string } = {},
  ) {
    super(options.detail ?? publicReason, options);
    this.name = 'TaskFailure';
  }
}

/** The task passed its deadline: thrown into (and aborting) the step that held it. */
export class DeadlineExceededError extends TaskFailure {
  constructor(
    taskId: string,
    readonly deadlineAt: number,
  ) {
    super('deadline-exceeded', deadlineExceededReason(deadlineAt), {
      taskId,
      detail: `task ${taskId} passed its deadline ${new Date(deadlineAt).toISOString()}`,
    });
    this.name = 'DeadlineExceededError';
  }
}

const STAGE_NAMES: Readonly<Record<string, string>> = {
  planning: 'Planning',
  researching: 'Research',
  reviewing: 'Review',
};

/** The stage as the subject of a sentence: "Planning", "Research", "Review". */
export function stageName(stage: string): string {
  return STAGE_NAMES[stage] ?? 'A step of the task';
}

/**
 * What the client reads for a step that failed with `error`: the code and sentence of a
 * TaskFailure, else a sentence chosen by the error's class. An error's message is never passed on
 * (it may hold a provider's answer, a host name or a stack); the step logs it instead.
 */
export function publicFailure(error: unknown, stage: string, attempts: number): PublicFailure {
  if (error instanceof TaskFailure) return { code: error.code, reason: error.publicReason };
  const name = stageName(stage);
  if (error instanceof LlmRequestError) {
    return { code: 'llm-refused', reason: `${name} failed: the language model refused the request.` };
  }
  if (error instanceof LlmOutputError) {
    return {
      code: 'llm-unusable-output',
      reason: `${name} failed: the language model's answer could not be used.`,
    };
  }
  if (isRetriable(error)) {
    return {
      code: 'retries-exhausted',
      reason: `${name} kept failing after ${attempts} attempt${attempts === 1 ? '' : 's'} (a service it needs is unavailable); submit the task again later.`,
    };
  }
  return { code: 'internal-error', reason: `${name} failed because of an internal error.` };
}

/** The user a task is for has no profile (the gateway checks at submission; a profile can go since). */
export function unknownUser(userId: string): TaskFailure {
  return new TaskFailure('unknown-user', `The user ${userId} has no profile.`, {
    detail: `user ${userId} has no profile`,
  });
}

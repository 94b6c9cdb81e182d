import { TributaryError } from '@tributary/platform';

/**
 * The LLM port's errors, under the project's one error root (`TributaryError`), so the Kafka
 * runtime and the agents' step frame read `retriable` the same way for a model as for a broker:
 * a retriable one goes back through the retry topic, a non-retriable one (a refused key, an
 * unusable reply) ends the task at once and is neither retried nor dead-lettered.
 */
export type LlmOperation = 'plan' | 'draft' | 'review';

export interface LlmErrorContext {
  readonly provider: string;
  readonly operation: LlmOperation;
  readonly taskId: string;
  /** HTTP attempts made for this call, including retries. */
  readonly attempts?: number;
  readonly cause?: unknown;
}

export abstract class LlmError extends TributaryError {
  readonly provider: string;
  readonly operation: LlmOperation;
  override readonly taskId: string;
  readonly attempts: number;

  constructor(message: string, context: LlmErrorContext) {
    super(message, { cause: context.cause, taskId: context.taskId });
    this.provider = context.provider;
    this.operation = context.operation;
    this.taskId = context.taskId;
    this.attempts = context.attempts ?? 1;
  }
}

/** HTTP 429. `retryAfterMs` is what the server asked for, when it said. */
export class LlmRateLimitError extends LlmError {
  override readonly name = 'LlmRateLimitError';
  readonly retriable = true;
  constructor(
    message: string,
    context: LlmErrorContext,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message, context);
  }
}

/** HTTP 5xx, or an error event inside a stream. */
export class LlmServerError extends LlmError {
  override readonly name = 'LlmServerError';
  readonly retriable = true;
  constructor(
    message: string,
    context: LlmErrorContext,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(message, context);
  }
}

/** The call took longer than the configured timeout (or the server answered 408). */
export class LlmTimeoutError extends LlmError {
  override readonly name = 'LlmTimeoutError';
  readonly retriable = true;
}

/** The endpoint could not be reached or dropped the connection. */
export class LlmConnectionError extends LlmError {
  override readonly name = 'LlmConnectionError';
  readonly retriable = true;
}

/** A 4xx other than 408/429: bad key, unknown model, request too large. Repeating it will not help. */
export class LlmRequestError extends LlmError {
  override readonly name = 'LlmRequestError';
  readonly retriable = false;
  constructor(
    message: string,
    context: LlmErrorContext,
    readonly status: number,
  ) {
    super(message, context);
  }
}

/** The model's reply did not match the expected shape, also after one repair attempt. */
export class LlmOutputError extends LlmError {
  override readonly name = 'LlmOutputError';
  readonly retriable = false;
  constructor(
    message: string,
    context: LlmErrorContext,
    /** What was wrong, one entry per problem (JSON path and expectation). */
    readonly problems: readonly string[],
    /** The last raw reply, for the dead-letter headers and debugging. */
    readonly raw: string,
  ) {
    super(message, context);
  }
}

/** The caller's AbortSignal fired (task cancelled or shutdown). */
export class LlmAbortedError extends LlmError {
  override readonly name = 'LlmAbortedError';
  readonly retriable = false;
}

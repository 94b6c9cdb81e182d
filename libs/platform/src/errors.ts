/**
 * The one error root of Tributary, after kafkajs' `src/errors.js`: every error the runtime, the LLM
 * port or a store raises on purpose says whether trying again can help (`retriable`), keeps its
 * `cause`, and carries the coordinates that locate it. Code branches on `retriable` or on the class,
 * never on message text: the Kafka runtime sends retriable failures to the group's retry topic and
 * the rest to the dead-letter topic; an agent ends the task at once on a non-retriable one.
 */

/** Where an error happened; every field is optional, so each layer adds what it knows. */
export interface ErrorContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  /** The delivery attempt (1 for the first), when the error happened inside a consumer. */
  readonly attempt?: number;
  readonly taskId?: string;
}

export interface TributaryErrorOptions extends ErrorContext {
  readonly cause?: unknown;
}

export abstract class TributaryError extends Error {
  abstract readonly retriable: boolean;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: string | undefined;
  readonly attempt: number | undefined;
  readonly taskId: string | undefined;

  constructor(message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Subclasses set their own name: class names survive bundling only with keepNames.
    this.name = 'TributaryError';
    this.topic = options.topic;
    this.partition = options.partition;
    this.offset = options.offset;
    this.attempt = options.attempt;
    this.taskId = options.taskId;
  }
}

/** Trying again later may succeed: a timeout, a 429 or 5xx from a model, a lost connection. */
export class RetriableError extends TributaryError {
  readonly retriable = true;
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'RetriableError';
  }
}

/**
 * A dependency (the store, the broker, a registry) did not answer or refused to serve: the same call
 * succeeds once it is back, however long that takes. Consumer groups whose every effect needs that
 * dependency can wait for it in place rather than spend a retry budget (see `isTransient`).
 */
export class UnavailableError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/** Trying again cannot help: the message, or the request it describes, is wrong. */
export class PermanentError extends TributaryError {
  readonly retriable: boolean = false;
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * Errors of our own answer for themselves. Anything else (a driver's network error, a bug that
 * throws) counts as retriable: a transient fault heals, and a bug reaches the dead-letter topic
 * after the group's last attempt.
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof TributaryError ? error.retriable : true;
}

/** What the headers call the error's class. */
export function errorClassName(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error === 'object' && error !== null ? 'UnknownError' : typeof error;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

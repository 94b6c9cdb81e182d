/**
 * One error hierarchy for the runtime, after kafkajs' `src/errors.js`: every error says whether
 * trying again can help (`retriable`), keeps its `cause`, and carries the message coordinates.
 * The consumer branches on these classes, never on message text:
 * - RetriableError (and any error that is not a TributaryError) → the group's retry topic;
 * - PermanentError and its subclasses (DecodeError, EventValidationError) → the dead-letter topic at once.
 */

export interface ErrorContext {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly attempt?: number;
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

  constructor(message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Subclasses set their own name below: class names survive bundling only with keepNames.
    this.name = 'TributaryError';
    this.topic = options.topic;
    this.partition = options.partition;
    this.offset = options.offset;
    this.attempt = options.attempt;
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

/** Trying again cannot help: the message or the request it describes is wrong. */
export class PermanentError extends TributaryError {
  readonly retriable: boolean = false;
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** The bytes cannot be read: not the Confluent wire format, an unknown schema id, truncated Avro. */
export class DecodeError extends PermanentError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'DecodeError';
  }
}

/** The value does not satisfy its schema, or the envelope headers are missing or invalid. */
export class EventValidationError extends PermanentError {
  /** Field paths at fault, e.g. `request.maxResults`; empty when the fault is not in a field. */
  readonly paths: readonly string[];
  constructor(message: string, options: TributaryErrorOptions & { paths?: readonly string[] } = {}) {
    super(message, options);
    this.name = 'EventValidationError';
    this.paths = options.paths ?? [];
  }
}

/** A schema change the registry refused under the subject's compatibility level. */
export class SchemaIncompatibleError extends PermanentError {
  constructor(
    message: string,
    readonly subject: string,
    options?: TributaryErrorOptions,
  ) {
    super(message, options);
    this.name = 'SchemaIncompatibleError';
  }
}

/** Unknown errors count as retriable: a bug that throws will reach the dead-letter topic after maxAttempts. */
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

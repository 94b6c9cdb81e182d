/**
 * The runtime's errors, under the one root every layer shares (`TributaryError` in
 * @tributary/platform, re-exported here): the consumer branches on `retriable`, never on text.
 * - retriable errors (and any error that is not a TributaryError) go to the group's retry topic;
 * - PermanentError and its subclasses (DecodeError, EventValidationError) go to the dead-letter topic at once.
 */
import { PermanentError, type TributaryErrorOptions } from '@tributary/platform';

export {
  type ErrorContext,
  errorClassName,
  errorMessage,
  isRetriable,
  PermanentError,
  RetriableError,
  TributaryError,
  type TributaryErrorOptions,
  UnavailableError,
} from '@tributary/platform';

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

/**
 * The runtime's errors, under the one root every layer shares (`TributaryError` in
 * @tributary/platform, re-exported here): the consumer branches on `retriable`, never on text.
 * - retriable errors (and any error that is not a TributaryError) go to the group's retry topic;
 * - PermanentError and its subclasses (DecodeError, EventValidationError) go to the dead-letter topic at once.
 */
import { PermanentError, RetriableError, type TributaryErrorOptions } from '@tributary/platform';

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

/**
 * The brokers refused the client's SASL credentials. Retriable on purpose: credentials are an
 * operator's to fix (or were rotated under a running service), and no event may be dead-lettered
 * for a fault of the configuration. At start-up it stops the service with this message.
 */
export class KafkaAuthenticationError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'KafkaAuthenticationError';
  }
}

/** A kafkajs connection failure in our terms: a refused login names the variables that set it. */
export function kafkaConnectionError(error: unknown): unknown {
  if (error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError') {
    return new KafkaAuthenticationError(
      `Kafka refused the client's credentials (${error.message}); check TRIBUTARY_KAFKA_SASL_MECHANISM, ` +
        'TRIBUTARY_KAFKA_SASL_USERNAME and TRIBUTARY_KAFKA_SASL_PASSWORD',
      { cause: error },
    );
  }
  return error;
}

/**
 * The produce request carrying an event failed (the broker unreachable, a timeout, retries spent):
 * the broker may still have written it, so whether the event was published is unknown. Errors
 * raised before a request is made (the value invalid, the registry or the broker not reachable to
 * encode or connect) are not this one: those events were certainly not published.
 */
export class ProduceOutcomeUnknownError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'ProduceOutcomeUnknownError';
  }
}

/**
 * Kafka header names the runtime adds when a message leaves its topic because its handler failed:
 * on the consumer group's retry topic, on its dead-letter topic, and on a redriven message.
 * The envelope headers (HEADERS) travel unchanged beside them. Renaming one breaks every
 * dead letter already written and every tool that reads them: add, never rename.
 */
export const FAILURE_HEADERS = {
  /** The topic the message was first consumed from (never the retry topic). */
  originTopic: 'originTopic',
  originPartition: 'originPartition',
  originOffset: 'originOffset',
  /** How many attempts have failed so far (1 after the first failure). */
  attempts: 'attempts',
  /** The class name of the last error, e.g. RetriableError or DecodeError. */
  errorClass: 'errorClass',
  errorMessage: 'errorMessage',
  /** ISO-8601 instants of the first and the last failure. */
  firstFailureAt: 'firstFailureAt',
  lastFailureAt: 'lastFailureAt',
  /** Retry topic only: the ISO-8601 instant before which the retry must not run. */
  retryDueAt: 'retryDueAt',
  /** Redriven messages only: `<dead-letter topic>/<partition>/<offset>` they were copied from. */
  redrivenFrom: 'redrivenFrom',
} as const;

export type FailureHeaderName = (typeof FAILURE_HEADERS)[keyof typeof FAILURE_HEADERS];

import { ConfigError } from '@tributary/config';
import { TributaryError } from '@tributary/platform';
import { KafkaJSError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { NotFoundError, UsageError } from './errors';

/**
 * What the `tributary` commands exit with. Scripts branch on these; change one only with a major
 * version of the command (docs/analysts.md lists them).
 */
export const EXIT = {
  /** Done, and everything read was understood. */
  ok: 0,
  /** An unexpected failure (a bug): the message says what, the stack goes to stderr with TRIBUTARY_LOG_LEVEL=debug. */
  failure: 1,
  /** The command line or the configuration is wrong: an unknown option, a value out of range, a bad TRIBUTARY_* variable. */
  usage: 2,
  /** Kafka, the schema registry or the store cannot be reached (or refused our credentials): try again later. */
  unavailable: 3,
  /** What was asked for does not exist: a task with no events, a dead letter that is not there. */
  notFound: 4,
  /** Done, but some records could not be decoded: the output holds the rest, the summary says why. */
  incomplete: 5,
  /** A replay: some replayed tasks did not end before the timeout (the report names them). */
  unfinished: 6,
  /** Stopped by SIGINT or SIGTERM before the end (128 + SIGINT, the shell's convention). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of a command that failed with `error`. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT.usage;
  if (error instanceof NotFoundError) return EXIT.notFound;
  if (error instanceof TributaryError) return error.retriable ? EXIT.unavailable : EXIT.failure;
  // kafkajs marks connection loss, timeouts and leader moves retriable; it gives up after its own retries.
  if (error instanceof KafkaJSNumberOfRetriesExceeded) return EXIT.unavailable;
  if (error instanceof KafkaJSError) return error.retriable ? EXIT.unavailable : EXIT.failure;
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError)
    return EXIT.unavailable;
  return EXIT.failure;
}

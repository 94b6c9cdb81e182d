import { ConfigError } from '@tributary/config';
import { PermanentError, RetriableError, UnavailableError } from '@tributary/platform';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from './errors';
import { EXIT, exitCodeFor } from './exit-codes';

describe('exitCodeFor', () => {
  it.each([
    ['a usage error', new UsageError('--limit must be a positive integer'), EXIT.usage],
    ['a bad TRIBUTARY_* variable', new ConfigError('TRIBUTARY_KAFKA_BROKERS is empty'), EXIT.usage],
    ['nothing found', new NotFoundError('no events of task tsk_x'), EXIT.notFound],
    ['a retriable error of ours', new RetriableError('registry down'), EXIT.unavailable],
    ['the registry out', new UnavailableError('schema registry unavailable'), EXIT.unavailable],
    ['Kafka unreachable', new KafkaJSConnectionError('Connection error: ECONNREFUSED'), EXIT.unavailable],
    [
      'kafkajs giving up after its retries',
      new KafkaJSNumberOfRetriesExceeded(new Error('Connection timeout'), {
        retryCount: 5,
        retryTime: 30_000,
      }),
      EXIT.unavailable,
    ],
    [
      'the store unreachable',
      new MongoServerSelectionError('connection timed out', { type: 'Unknown', servers: new Map() } as never),
      EXIT.unavailable,
    ],
    ['a permanent error of ours', new PermanentError('bug'), EXIT.failure],
    [
      'a Kafka error that retrying does not fix',
      new KafkaJSNonRetriableError(new Error('Topic authorization failed')),
      EXIT.failure,
    ],
    ['anything else', new TypeError('x is undefined'), EXIT.failure],
  ])('maps %s to its exit code', (_, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});

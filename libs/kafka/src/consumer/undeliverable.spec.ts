import { FAILURE_HEADERS } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import { type UndeliverableMessage } from '../delivery';
import { DecodeError, PermanentError, RetriableError } from '../errors';
import { OffsetTracker } from '../offset-tracker';
import { UndeliverableReporter } from './undeliverable';
import { type PartitionState, workFor } from './work';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

function partition(topic: string): PartitionState {
  return {
    topic,
    partition: 0,
    tracker: new OffsetTracker(0),
    revoked: false,
    highWatermark: 0,
    unseenFrom: 0,
    running: new Set(),
  };
}

/** A retry copy of a record of `task.planned` that cannot be read. */
const retryCopy = () =>
  workFor(
    partition('group.retry'),
    {
      key: Buffer.from('tsk-1'),
      value: Buffer.from('garbage'),
      headers: {
        tenantId: 'acme',
        [FAILURE_HEADERS.originTopic]: 'tributary.internal.task.planned.v1',
        [FAILURE_HEADERS.originPartition]: '3',
        [FAILURE_HEADERS.originOffset]: '41',
        [FAILURE_HEADERS.attempts]: '1',
      },
      offset: '7',
      timestamp: '0',
      attributes: 0,
    },
    7,
    true,
  );

function reporter(handler: (message: UndeliverableMessage) => Promise<void>) {
  const sleeps: number[] = [];
  const reporter = new UndeliverableReporter({
    handler,
    logger: silent,
    stopped: () => false,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  return { reporter, sleeps };
}

describe('UndeliverableReporter', () => {
  it('hands the hook the origin, the key, the attempts and the record’s own headers', async () => {
    const seen: UndeliverableMessage[] = [];
    const error = new DecodeError('not the Confluent wire format');
    const { reporter: r } = reporter((message) => {
      seen.push(message);
      return Promise.resolve();
    });

    await r.report(retryCopy(), error);

    expect(seen).toEqual([
      {
        topic: 'tributary.internal.task.planned.v1',
        partition: 3,
        offset: '41',
        key: 'tsk-1',
        headers: { tenantId: 'acme' },
        attempts: 2,
        error,
      },
    ]);
  });

  it('calls the hook again after a retriable failure, a few times at most, and gives up on a permanent one', async () => {
    let calls = 0;
    const flaky = reporter(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(new RetriableError('broker down')) : Promise.resolve();
    });
    await flaky.reporter.report(retryCopy(), new DecodeError('x'));
    expect(calls).toBe(3);
    expect(flaky.sleeps).toHaveLength(2);

    let down = 0;
    const broken = reporter(() => {
      down += 1;
      return Promise.reject(new RetriableError('broker down'));
    });
    await broken.reporter.report(retryCopy(), new DecodeError('x'));
    expect(down).toBe(8);

    let refused = 0;
    const permanent = reporter(() => {
      refused += 1;
      return Promise.reject(new PermanentError('cannot'));
    });
    await permanent.reporter.report(retryCopy(), new DecodeError('x'));
    expect(refused).toBe(1);
  });
});

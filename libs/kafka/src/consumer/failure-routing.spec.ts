import { FAILURE_HEADERS } from '@tributary/contracts';
import { TributaryError } from '@tributary/platform';
import { type ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DecodeError, PermanentError, RetriableError } from '../errors';
import { readFailure } from '../failure';
import { OffsetTracker } from '../offset-tracker';
import { type FailedAttempt, FailureRouter, routeFailure, type RetryPolicy } from './failure-routing';
import { type PartitionState, workFor } from './work';

/** An error of another layer (an LLM port, a store) that knows trying again cannot help. */
class RefusedKeyError extends TributaryError {
  readonly retriable = false;
}

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, random: () => 1 };
const now = new Date('2026-01-01T00:00:10.000Z');
const origin = { topic: 'tributary.internal.task.planned.v1', partition: 2, offset: '41' };
const first: FailedAttempt = { origin, attempt: 1, abandoned: false };

describe('routeFailure', () => {
  it('sends a retriable failure to the retry topic, due after the first backoff step', () => {
    expect(routeFailure(first, new RetriableError('429'), policy, now)).toEqual({
      to: 'retry',
      failure: {
        originTopic: origin.topic,
        originPartition: 2,
        originOffset: '41',
        attempts: 1,
        errorClass: 'RetriableError',
        errorMessage: '429',
        firstFailureAt: now.toISOString(),
        lastFailureAt: now.toISOString(),
        retryDueAt: '2026-01-01T00:00:11.000Z',
      },
    });
  });

  it('retries errors that are not ours, doubling the delay and keeping the first failure time', () => {
    const previous = routeFailure(
      first,
      new Error('socket hang up'),
      policy,
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(previous.to).toBe('retry');
    if (previous.to === 'nowhere') return;
    const second = routeFailure(
      { origin, attempt: 2, previous: previous.failure, abandoned: false },
      new Error('again'),
      policy,
      now,
    );
    expect(second).toMatchObject({
      to: 'retry',
      failure: {
        attempts: 2,
        errorClass: 'Error',
        firstFailureAt: '2026-01-01T00:00:00.000Z',
        lastFailureAt: now.toISOString(),
        retryDueAt: '2026-01-01T00:00:12.000Z',
      },
    });
  });

  it('dead-letters a permanent failure at once, whatever its class', () => {
    for (const error of [
      new PermanentError('bad request'),
      new DecodeError('garbage'),
      new RefusedKeyError('401'),
    ]) {
      const route = routeFailure(first, error, policy, now);
      expect(route.to).toBe('dead-letter');
      if (route.to === 'dead-letter') expect(route.failure.retryDueAt).toBeUndefined();
    }
  });

  it('dead-letters a retriable failure once the attempts are used up', () => {
    const last = { origin, attempt: policy.maxAttempts, abandoned: false };
    const route = routeFailure(last, new RetriableError('timeout'), policy, now);
    expect(route).toMatchObject({
      to: 'dead-letter',
      failure: { attempts: 3, errorClass: 'RetriableError' },
    });
    if (route.to === 'dead-letter') expect(route.failure.retryDueAt).toBeUndefined();
  });

  it('gives up on abandoned work, retriable or not: the next owner of the partition redoes it', () => {
    const abandoned = { ...first, abandoned: true };
    expect(routeFailure(abandoned, new RetriableError('timeout'), policy, now)).toEqual({ to: 'nowhere' });
    expect(routeFailure(abandoned, new PermanentError('bad'), policy, now)).toEqual({ to: 'nowhere' });
  });
});

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

function message(headers: Record<string, string> = { eventId: 'e-1' }) {
  return {
    key: Buffer.from('task-1'),
    value: Buffer.from('bytes'),
    headers,
    offset: '7',
    timestamp: '0',
    attributes: 0,
  };
}

/** A router whose producer records every record it is asked to send (and fails them all when `fail`). */
function router(sent: ProducerRecord[], { fail = false, stopped = false } = {}) {
  return new FailureRouter({
    retryTopic: 'group.retry',
    deadLetterTopic: 'group.dlt',
    producer: {
      send: (record) => {
        sent.push(record);
        return fail ? Promise.reject(new Error('broker down')) : Promise.resolve([]);
      },
    },
    policy,
    logger: silent,
    stopped: () => stopped,
  });
}

describe('FailureRouter', () => {
  it('publishes the original key, bytes and headers with the failure headers, and counts', async () => {
    const sent: ProducerRecord[] = [];
    const failures = router(sent);
    const work = workFor(partition(origin.topic), message(), 7, false);

    await expect(failures.route(work, new RetriableError('429'))).resolves.toBe('retry');
    await expect(failures.route(work, new PermanentError('bad'))).resolves.toBe('dead-letter');

    expect(sent.map((record) => record.topic)).toEqual(['group.retry', 'group.dlt']);
    const [copy] = sent[0]?.messages ?? [];
    expect(copy?.key?.toString()).toBe('task-1');
    expect(copy?.value?.toString()).toBe('bytes');
    expect(copy?.headers?.eventId).toBe('e-1');
    expect(readFailure(copy?.headers)).toMatchObject({
      originTopic: origin.topic,
      originOffset: '7',
      attempts: 1,
    });
    expect([failures.retried, failures.deadLettered]).toEqual([1, 1]);
  });

  it('counts the attempts of a copy read back from the retry topic', async () => {
    const sent: ProducerRecord[] = [];
    const failures = router(sent);
    const retryCopy = message({
      eventId: 'e-1',
      [FAILURE_HEADERS.originTopic]: origin.topic,
      [FAILURE_HEADERS.originPartition]: '2',
      [FAILURE_HEADERS.originOffset]: '41',
      [FAILURE_HEADERS.attempts]: '2',
    });
    const work = workFor(partition('group.retry'), retryCopy, 7, true);
    expect(work.attempt).toBe(3);

    await failures.route(work, new RetriableError('429'));
    expect(sent[0]?.topic).toBe('group.dlt');
    expect(readFailure(sent[0]?.messages[0]?.headers)).toMatchObject({ originOffset: '41', attempts: 3 });
  });

  it('defers a message to the retry topic at the due time it was given, with its attempts unchanged', async () => {
    const sent: ProducerRecord[] = [];
    const failures = router(sent);
    const work = workFor(partition(origin.topic), message(), 7, false);
    const dueAt = Date.parse('2026-01-01T00:10:00.000Z');

    await expect(failures.defer(work, dueAt)).resolves.toBe(true);

    expect(sent.map((record) => record.topic)).toEqual(['group.retry']);
    const copy = sent[0]?.messages[0];
    expect(copy?.value?.toString()).toBe('bytes');
    expect(readFailure(copy?.headers)).toMatchObject({
      originTopic: origin.topic,
      originOffset: '7',
      attempts: 0,
      errorClass: 'Deferred',
      retryDueAt: '2026-01-01T00:10:00.000Z',
    });
    // Read back, the copy is the same attempt again, due then.
    const back = workFor(
      partition('group.retry'),
      { ...message(), headers: copy?.headers as Record<string, string> },
      3,
      true,
    );
    expect(back.attempt).toBe(1);
    expect([failures.retried, failures.deadLettered, failures.deferred]).toEqual([0, 0, 1]);
  });

  it('publishes nothing for work of a revoked partition and leaves its offset unfinished', async () => {
    const sent: ProducerRecord[] = [];
    const failures = router(sent);
    const work = workFor(partition(origin.topic), message(), 7, false);
    work.state.revoked = true;

    await expect(failures.route(work, new PermanentError('bad'))).resolves.toBeNull();
    expect(sent).toEqual([]);
    expect(failures.deadLettered).toBe(0);
  });

  it('stops trying to publish once the consumer has stopped', async () => {
    const sent: ProducerRecord[] = [];
    const failures = router(sent, { fail: true, stopped: true });
    const work = workFor(partition(origin.topic), message(), 7, false);

    await expect(failures.route(work, new PermanentError('bad'))).resolves.toBeNull();
    expect(sent).toHaveLength(1);
    expect(failures.deadLettered).toBe(0);
  });
});

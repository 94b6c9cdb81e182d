import { loadConfig } from '@tributary/config';
import { RetriableError, UnavailableError } from '@tributary/platform';
import { MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failurePolicy, holdDelay, holdsInPlace, retryPolicy } from './failure-policy';

const runtime = loadConfig('gateway', {}).runtime;

describe('failurePolicy', () => {
  it('takes the runtime configuration by default: retry topic for every retriable failure', () => {
    const policy = failurePolicy(runtime);
    expect(policy).toMatchObject({ maxAttempts: 4, retryBaseDelayMs: 500, onTransient: 'retry-topic' });
    expect(holdsInPlace(new MongoNetworkError('connection closed'), policy)).toBe(false);
    expect(retryPolicy(policy)).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 60_000 });
  });

  it('holds transient failures in place for a group that asks for it, and routes the rest as before', () => {
    const policy = failurePolicy(runtime, { onTransient: 'hold-partition', maxAttempts: 100 });
    expect(policy.maxAttempts).toBe(100);
    expect(holdsInPlace(new MongoNetworkError('connection closed'), policy)).toBe(true);
    expect(holdsInPlace(new UnavailableError('schema registry unavailable'), policy)).toBe(true);
    expect(holdsInPlace(new RetriableError('receiver answered 500'), policy)).toBe(false);
    expect(holdsInPlace(new TypeError('a bug'), policy)).toBe(false);
  });

  it('waits between half and all of a ceiling that doubles from the base up to the cap', () => {
    const policy = failurePolicy(runtime, { holdBaseDelayMs: 500, holdMaxDelayMs: 10_000 });
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => holdDelay(n, policy, () => 1))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(holdDelay(3, policy, () => 0)).toBe(1_000);
  });
});

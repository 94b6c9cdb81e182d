import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff';

const policy = { baseDelayMs: 500, maxDelayMs: 60_000 };

describe('backoff', () => {
  it('doubles the ceiling with every failed attempt, from the base', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffCeiling(attempt, policy))).toEqual([
      500, 1000, 2000, 4000, 8000,
    ]);
  });

  it('caps the ceiling at the maximum, also for absurd attempt counts', () => {
    expect(backoffCeiling(8, policy)).toBe(60_000);
    expect(backoffCeiling(10_000, policy)).toBe(60_000);
  });

  it('draws the delay uniformly between zero and the ceiling (full jitter)', () => {
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...policy, random: () => 0.5 })).toBe(1000);
    expect(backoffDelay(3, { ...policy, random: () => 1 })).toBe(2000);
  });

  it('stays within the bounds with the real random source', () => {
    for (let i = 0; i < 1000; i += 1) {
      const delay = backoffDelay(4, policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});

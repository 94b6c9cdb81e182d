import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OffsetTracker } from '../offset-tracker';
import { DelayedRetries } from './retry-delays';
import { type PartitionState, type Work, workFor } from './work';

function partition(partition: number): PartitionState {
  return {
    topic: 'group.retry',
    partition,
    tracker: new OffsetTracker(0),
    revoked: false,
    highWatermark: 0,
    unseenFrom: 0,
    running: new Set(),
  };
}

function work(state: PartitionState, offset: number): Work {
  const message = {
    key: Buffer.from(`task-${offset}`),
    value: null,
    headers: {},
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
  };
  return workFor(state, message, offset, false);
}

describe('DelayedRetries', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function retries(live: (state: PartitionState) => boolean = (state) => !state.revoked) {
    const due: number[] = [];
    const delayed = new DelayedRetries({ live, due: (w) => due.push(w.offset) });
    return { delayed, due };
  }

  it('hands each retry on when it comes due, not before, and counts those still waiting', () => {
    const { delayed, due } = retries();
    const state = partition(0);
    delayed.hold(work(state, 1), Date.now() + 1_000);
    delayed.hold(work(state, 2), Date.now() + 500);
    expect(delayed.count).toBe(2);

    vi.advanceTimersByTime(499);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual([2]);
    expect(delayed.count).toBe(1);
    vi.advanceTimersByTime(500);
    expect(due).toEqual([2, 1]);
    expect(delayed.count).toBe(0);
  });

  it('waits out delays longer than one timer can hold', () => {
    const { delayed, due } = retries();
    const days30 = 30 * 24 * 3_600_000;
    delayed.hold(work(partition(0), 1), Date.now() + days30);

    vi.advanceTimersByTime(days30 - 1);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual([1]);
  });

  it("drops a lost partition's retries and keeps the others", () => {
    const { delayed, due } = retries();
    const lost = partition(0);
    const kept = partition(1);
    delayed.hold(work(lost, 1), Date.now() + 100);
    delayed.hold(work(lost, 2), Date.now() + 100);
    delayed.hold(work(kept, 3), Date.now() + 100);

    delayed.drop(lost);
    expect(delayed.count).toBe(1);
    vi.advanceTimersByTime(100);
    expect(due).toEqual([3]);

    delayed.hold(work(kept, 4), Date.now() + 100);
    delayed.dropAll();
    expect(delayed.count).toBe(0);
    vi.advanceTimersByTime(100);
    expect(due).toEqual([3]);
  });

  it('forgets a retry that comes due when its partition may no longer run', () => {
    const { delayed, due } = retries();
    const state = partition(0);
    delayed.hold(work(state, 1), Date.now() + 100);
    state.revoked = true;

    vi.advanceTimersByTime(100);
    expect(due).toEqual([]);
    expect(delayed.count).toBe(0);
  });
});

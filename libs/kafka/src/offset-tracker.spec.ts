import { describe, expect, it } from 'vitest';
import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits nothing new until the lowest offset finishes', () => {
    const tracker = new OffsetTracker(10);
    for (const offset of [10, 11, 12, 13]) tracker.track(offset);
    tracker.finish(12);
    tracker.finish(13);
    expect(tracker.lowestUnfinished()).toBe(10);
    expect(tracker.commitCandidate()).toBeUndefined();
    tracker.finish(10);
    expect(tracker.lowestUnfinished()).toBe(11);
    expect(tracker.commitCandidate()).toBe(11);
  });

  it('moves past everything once the gap closes', () => {
    const tracker = new OffsetTracker(0);
    for (const offset of [0, 1, 2, 3, 4]) tracker.track(offset);
    for (const offset of [4, 2, 0, 3]) tracker.finish(offset);
    expect(tracker.lowestUnfinished()).toBe(1);
    expect(tracker.unfinished).toBe(1);
    tracker.finish(1);
    expect(tracker.lowestUnfinished()).toBe(5);
    expect(tracker.unfinished).toBe(0);
  });

  it('skips gaps in the offsets (compacted or control records)', () => {
    const tracker = new OffsetTracker(100);
    tracker.track(100);
    tracker.track(105);
    tracker.finish(105);
    expect(tracker.lowestUnfinished()).toBe(100);
    tracker.finish(100);
    expect(tracker.lowestUnfinished()).toBe(106);
  });

  it('refuses offsets it has already seen, as after a rebalance that hands the partition back', () => {
    const tracker = new OffsetTracker(0);
    expect(tracker.track(0)).toBe(true);
    expect(tracker.track(1)).toBe(true);
    tracker.finish(0);
    expect(tracker.track(0)).toBe(false);
    expect(tracker.track(1)).toBe(false);
    expect(tracker.track(2)).toBe(true);
  });

  it('only proposes a commit above the committed offset', () => {
    const tracker = new OffsetTracker(0);
    tracker.track(0);
    tracker.finish(0);
    expect(tracker.commitCandidate()).toBe(1);
    tracker.markCommitted(1);
    expect(tracker.commitCandidate()).toBeUndefined();
    expect(tracker.committed).toBe(1);
  });

  it('ignores finishing offsets it never tracked or already passed', () => {
    const tracker = new OffsetTracker(0);
    tracker.track(0);
    tracker.finish(7);
    tracker.finish(-1);
    expect(tracker.lowestUnfinished()).toBe(0);
    expect(tracker.isPending(0)).toBe(true);
    tracker.finish(0);
    tracker.finish(0);
    expect(tracker.isPending(0)).toBe(false);
    expect(tracker.lowestUnfinished()).toBe(1);
  });

  it('stays correct over many offsets finished out of order', () => {
    const tracker = new OffsetTracker(0);
    const count = 5_000;
    for (let offset = 0; offset < count; offset += 1) tracker.track(offset);
    // Finish odd offsets first, then even ones: the commit point trails the lowest even offset.
    for (let offset = 1; offset < count; offset += 2) tracker.finish(offset);
    expect(tracker.lowestUnfinished()).toBe(0);
    for (let offset = 0; offset < count; offset += 2) {
      tracker.finish(offset);
      expect(tracker.lowestUnfinished()).toBe(offset + 2 < count ? offset + 2 : count);
    }
    expect(tracker.unfinished).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { Assignment } from './rebalance';

describe('Assignment', () => {
  it('creates a partition state at its first fetch and keeps it across fetches', () => {
    const assignment = new Assignment();
    const state = assignment.partition('orders', 0, 42, 60);
    expect(state.tracker.lowestUnfinished()).toBe(42);
    expect(state.unseenFrom).toBe(60);
    expect(assignment.partition('orders', 0, 50, 70)).toBe(state);
    expect(state.unseenFrom).toBe(60);
    expect([...assignment.owned()]).toEqual([state]);
  });

  it('on a new assignment, marks revoked and forgets the partitions no longer assigned', () => {
    const assignment = new Assignment();
    const kept = assignment.partition('orders', 0, 0, 0);
    const lost = assignment.partition('orders', 1, 0, 0);
    const otherTopic = assignment.partition('group.retry', 0, 0, 0);

    expect(assignment.joined({ orders: [0, 2] })).toEqual([lost, otherTopic]);
    expect([lost.revoked, otherTopic.revoked, kept.revoked]).toEqual([true, true, false]);
    expect([...assignment.owned()]).toEqual([kept]);
  });

  it('starts a partition handed back after a loss afresh', () => {
    const assignment = new Assignment();
    const before = assignment.partition('orders', 0, 0, 0);
    before.tracker.track(0);
    assignment.joined({});

    const after = assignment.partition('orders', 0, 0, 0);
    expect(after).not.toBe(before);
    expect(after.revoked).toBe(false);
    expect(after.tracker.track(0)).toBe(true);
  });

  it('is rebalancing from the REBALANCING event until the next join', () => {
    const assignment = new Assignment();
    expect(assignment.rebalancing).toBe(false);
    assignment.rebalanceStarted();
    expect(assignment.rebalancing).toBe(true);
    assignment.joined({ orders: [0] });
    expect(assignment.rebalancing).toBe(false);
  });
});

import { formatPosition } from './causal-position';
import { describe, expect, it } from 'vitest';
import { CausalReorder, inCausalOrder, type Ordered } from './causal-order';

/** A task's chain: submitted → (planning progress ×2, planned) → (research progress, drafted). */
const submitted: Ordered = { eventId: 'submitted', causationId: null, position: { depth: 0, index: 0 } };
const plan1: Ordered = { eventId: 'plan-1', causationId: 'submitted', position: { depth: 1, index: 0 } };
const plan2: Ordered = { eventId: 'plan-2', causationId: 'submitted', position: { depth: 1, index: 1 } };
const planned: Ordered = { eventId: 'planned', causationId: 'submitted', position: { depth: 1, index: 2 } };
const research1: Ordered = {
  eventId: 'research-1',
  causationId: 'planned',
  position: { depth: 2, index: 0 },
};
const drafted: Ordered = { eventId: 'drafted', causationId: 'planned', position: { depth: 2, index: 1 } };
const chain = [submitted, plan1, plan2, planned, research1, drafted];

const ids = (events: readonly Ordered[]) => events.map((e) => e.eventId);

function deliver(reorder: CausalReorder<Ordered>, arrivals: readonly Ordered[]): Ordered[] {
  return arrivals.flatMap((event) => reorder.offer(event, 0));
}

describe('CausalReorder', () => {
  it('releases a task’s events in causal order whatever order they arrive in', () => {
    const arrivals = [
      [drafted, planned, research1, plan2, submitted, plan1],
      [plan1, submitted, planned, drafted, plan2, research1],
      [...chain].reverse(),
      chain,
    ];
    for (const arrival of arrivals) {
      const released = deliver(new CausalReorder(1_000), arrival);
      expect(ids(released), ids(arrival).join(' ')).toEqual(ids(chain));
    }
  });

  it('holds an event until the one before it arrives, and drops repeats', () => {
    const reorder = new CausalReorder<Ordered>(1_000);
    expect(reorder.offer(submitted, 0)).toEqual([submitted]);
    expect(reorder.offer(plan2, 0)).toEqual([]);
    expect(reorder.pending).toBe(1);
    expect(reorder.offer(submitted, 0)).toEqual([]);
    expect(ids(reorder.offer(plan1, 0))).toEqual(['plan-1', 'plan-2']);
    expect(reorder.offer(plan1, 0)).toEqual([]);
    expect(reorder.pending).toBe(0);
  });

  it('lets a held event go after the window when its predecessor never comes, then what it unblocks', () => {
    const reorder = new CausalReorder<Ordered>(500);
    // Joined late: the submission and the planner's first progress were never seen.
    expect(reorder.offer(planned, 0)).toEqual([]);
    expect(reorder.offer(drafted, 100)).toEqual([]);
    expect(reorder.offer(plan2, 20)).toEqual([]);
    expect(reorder.expire(499)).toEqual([]);
    const released = reorder.expire(520);
    expect(released.map((e) => formatPosition(e.position!))).toEqual(['1.1', '1.2']);
    // The research agent's first event is still missing; its second waits out its own window.
    expect(reorder.expire(590)).toEqual([]);
    expect(ids(reorder.offer(research1, 595))).toEqual(['research-1', 'drafted']);
    expect(reorder.pending).toBe(0);
  });

  it('passes root events and events without a position at once', () => {
    const reorder = new CausalReorder<Ordered>(1_000);
    const legacy: Ordered = { eventId: 'old', causationId: 'unknown', position: null };
    const cancel: Ordered = { eventId: 'cancel', causationId: null, position: { depth: 0, index: 0 } };
    expect(reorder.offer(legacy, 0)).toEqual([legacy]);
    expect(reorder.offer(cancel, 0)).toEqual([cancel]);
  });

  it('passes a root event that names a cause (the gateway’s deadline failure) at once, without renumbering that cause’s events', () => {
    const reorder = new CausalReorder<Ordered>(1_000);
    const deadline: Ordered = {
      eventId: 'deadline',
      causationId: 'submitted',
      position: { depth: 0, index: 2 },
    };
    expect(reorder.offer(submitted, 0)).toEqual([submitted]);
    expect(reorder.offer(deadline, 0)).toEqual([deadline]);
    // The planner's events still follow one another as numbered.
    expect(reorder.offer(plan2, 0)).toEqual([]);
    expect(ids(reorder.offer(plan1, 0))).toEqual(['plan-1', 'plan-2']);
  });
});

describe('inCausalOrder', () => {
  it('orders a history by clock, corrected by causality, the same whatever order it was read in', () => {
    // The research agent's clock runs behind: its events carry times before the plan they answer.
    const at = (event: Ordered, occurredAt: string) => ({ ...event, at: Date.parse(occurredAt) });
    const history = [
      at(submitted, '2026-01-01T00:00:00.000Z'),
      at(plan1, '2026-01-01T00:00:00.100Z'),
      at(plan2, '2026-01-01T00:00:00.200Z'),
      at(planned, '2026-01-01T00:00:00.300Z'),
      at(research1, '2026-01-01T00:00:00.050Z'),
      at(drafted, '2026-01-01T00:00:00.060Z'),
      at(
        { eventId: 'cancel', causationId: null, position: { depth: 0, index: 1 } },
        '2026-01-01T00:00:00.250Z',
      ),
    ];
    const expected = ['submitted', 'plan-1', 'plan-2', 'cancel', 'planned', 'research-1', 'drafted'];
    expect(ids(inCausalOrder(history, (e) => e.at))).toEqual(expected);
    expect(ids(inCausalOrder([...history].reverse(), (e) => e.at))).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { diffOutcomes, diffTask } from './diff';
import { type TaskOutcome } from './outcomes';

function outcome(taskId: string, extra: Partial<TaskOutcome> = {}): TaskOutcome {
  return {
    taskId,
    tenantId: 'acme',
    status: 'completed',
    recommendations: ['a', 'b', 'c'],
    bestEffort: false,
    reviews: [{ round: 1, verdict: 'approved', score: 0.9 }],
    failureCode: null,
    latencyMs: 1_000,
    calls: { called: 0, journal: 3, shared: 0 },
    ...extra,
  };
}

describe('diffTask', () => {
  it('calls a replay with the same status, recommendations in order and verdicts identical, whatever its latency', () => {
    expect(diffTask(outcome('t'), outcome('t', { latencyMs: 50 }), 5)).toMatchObject({
      identical: true,
      overlapAtK: 1,
      added: [],
      removed: [],
      rankChanges: [],
    });
  });

  it('measures overlap@k over the baseline list, and names items added, removed and moved', () => {
    const diff = diffTask(outcome('t'), outcome('t', { recommendations: ['b', 'a', 'd'] }), 5);
    expect(diff).toMatchObject({
      identical: false,
      overlapAtK: 2 / 3,
      added: ['d'],
      removed: ['c'],
      rankChanges: [
        { itemId: 'a', from: 1, to: 2 },
        { itemId: 'b', from: 2, to: 1 },
      ],
    });
    expect(diffTask(outcome('t'), outcome('t', { recommendations: ['c', 'x', 'y'] }), 2).overlapAtK).toBe(0);
  });

  it('tells different verdicts and rounds apart', () => {
    const revised = outcome('t', {
      reviews: [
        { round: 1, verdict: 'revise', score: 0.5 },
        { round: 2, verdict: 'approved', score: 0.8 },
      ],
    });
    expect(diffTask(outcome('t'), revised, 5)).toMatchObject({
      identical: false,
      verdicts: { baseline: ['approved'], candidate: ['revise', 'approved'] },
      rounds: { baseline: 1, candidate: 2 },
    });
  });
});

describe('diffOutcomes', () => {
  it('sums up: identical and different tasks, rates on both sides, the calls the replay made, the tasks not replayed', () => {
    const baseline = new Map(['t1', 't2', 't3'].map((id) => [id, outcome(id)]));
    const candidate = new Map([
      ['t1', outcome('t1')],
      ['t2', outcome('t2', { bestEffort: true, calls: { called: 2, journal: 1, shared: 0 } })],
    ]);
    const report = diffOutcomes(baseline, candidate, 5);
    expect(report).toMatchObject({
      compared: 2,
      identical: 1,
      different: 1,
      missing: ['t3'],
      approvalRate: { baseline: 1, candidate: 0.5 },
      bestEffortRate: { baseline: 0, candidate: 0.5 },
      meanOverlapAtK: 1,
      candidateCalls: { called: 2, journal: 4, shared: 0 },
    });
  });
});

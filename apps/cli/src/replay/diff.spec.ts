import { CaseIndex, type EvaluationSet } from '@tributary/evaluation';
import { makeItem } from '@tributary/testing/catalogue/fixtures';
import { makeCase } from '@tributary/testing/evaluation/fixtures';
import { describe, expect, it } from 'vitest';
import { diffOutcomes, diffTask } from './diff';
import { type TaskOutcome } from './outcomes';

function outcome(taskId: string, extra: Partial<TaskOutcome> = {}): TaskOutcome {
  return {
    taskId,
    tenantId: 'acme',
    request: { userId: 'u-ada', query: 'something to read' },
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

describe('intent coverage against the evaluation set', () => {
  const cases = [
    makeCase({
      id: 'ada-novel-and-boots',
      userId: 'u-ada',
      query: 'a sci-fi novel and hiking boots',
      intents: [
        { label: 'sci-fi novel', categories: ['books'], tags: ['sci-fi'] },
        { label: 'hiking boots', categories: ['outdoor'], tags: ['boots'] },
      ],
    }),
    makeCase({
      id: 'bob-puzzle',
      userId: 'u-bob',
      query: 'a puzzle',
      intents: [{ label: 'puzzle', categories: ['games'] }],
    }),
  ];
  const evaluation: EvaluationSet = {
    dir: 'data/eval/cases',
    cases,
    index: new CaseIndex(cases),
    items: new Map(
      [
        makeItem({ id: 'bk-1', category: 'books', tags: ['sci-fi'] }),
        makeItem({ id: 'bk-2', category: 'books', tags: ['romance'] }),
        makeItem({ id: 'od-1', category: 'outdoor', tags: ['boots'] }),
        makeItem({ id: 'gm-1', category: 'games', tags: [] }),
      ].map((item) => [item.id, item]),
    ),
  };
  const ada = { userId: 'u-ada', query: 'a sci-fi novel and hiking boots' };
  const bob = { userId: 'u-bob', query: 'a puzzle' };

  it('judges a task by the case its original request matches, naming the intents the replay lost and gained', () => {
    const diff = diffTask(
      outcome('t', { request: ada, recommendations: ['bk-1', 'bk-2'] }),
      outcome('t', { request: ada, recommendations: ['bk-2', 'od-1'] }),
      5,
      evaluation,
    );
    expect(diff.intents).toEqual({
      caseId: 'ada-novel-and-boots',
      intents: ['sci-fi novel', 'hiking boots'],
      covered: { baseline: [true, false], candidate: [false, true] },
      lost: ['sci-fi novel'],
      gained: ['hiking boots'],
    });
  });

  it('leaves out a task whose request is no case (another user, other words, or not read), and every task without a set', () => {
    const other = (request: TaskOutcome['request']) =>
      diffTask(outcome('t', { request }), outcome('t', { request }), 5, evaluation).intents;
    expect(other({ userId: 'u-cy', query: ada.query })).toBeNull();
    expect(other({ userId: 'u-ada', query: 'a puzzle' })).toBeNull();
    expect(other(null)).toBeNull();
    expect(diffTask(outcome('t', { request: ada }), outcome('t', { request: ada }), 5).intents).toBeNull();
    expect(
      diffOutcomes(new Map([['t', outcome('t')]]), new Map([['t', outcome('t')]]), 5).intentCoverage,
    ).toBeNull();
  });

  it('sums up over the matched tasks only: share of their intents covered on each side, tasks that lost or gained one', () => {
    const baseline = new Map([
      ['t1', outcome('t1', { request: ada, recommendations: ['bk-1', 'od-1'] })],
      ['t2', outcome('t2', { request: bob, recommendations: ['bk-2'] })],
      ['t3', outcome('t3', { request: { userId: 'u-cy', query: 'anything' }, recommendations: ['bk-1'] })],
    ]);
    const candidate = new Map([
      // A replay that failed recommends nothing: every intent it covered is lost.
      ['t1', outcome('t1', { request: ada, status: 'failed', recommendations: [], bestEffort: null })],
      ['t2', outcome('t2', { request: bob, recommendations: ['gm-1'] })],
      ['t3', outcome('t3', { request: { userId: 'u-cy', query: 'anything' }, recommendations: [] })],
    ]);
    expect(diffOutcomes(baseline, candidate, 5, evaluation).intentCoverage).toEqual({
      evalSet: 'data/eval/cases',
      cases: 2,
      matched: 2,
      coverage: { baseline: 2 / 3, candidate: 1 / 3 },
      allCovered: { baseline: 1, candidate: 1 },
      lost: ['t1'],
      gained: ['t2'],
    });
  });

  it('has no coverage figure when no compared task is a case', () => {
    const report = diffOutcomes(
      new Map([['t', outcome('t')]]),
      new Map([['t', outcome('t')]]),
      5,
      evaluation,
    );
    expect(report.intentCoverage).toMatchObject({
      cases: 2,
      matched: 0,
      coverage: null,
      lost: [],
      gained: [],
    });
  });
});

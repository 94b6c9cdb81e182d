import { describe, expect, it } from 'vitest';
import { type ReviewCheck } from './port';
import { rankScore, shapeDraft, shapeJudgement, shapePlan, withThreshold } from './shaping';
import { candidates, profile, taskRequest } from '@tributary/testing/llm/fixtures';

describe('shapeJudgement', () => {
  const check: ReviewCheck = { kind: 'duplicate', message: 'bk-1 twice.', itemIds: ['bk-1'] };

  it('approves only when the judge approves, no check fired and the score reaches the threshold', () => {
    const approved = { verdict: 'approved' as const, critique: 'Good.', issues: [], score: 0.8 };

    expect(shapeJudgement(approved, [], 0.7).verdict).toBe('approved');
    expect(shapeJudgement(approved, [check], 0.7).verdict).toBe('revise');
    const low = shapeJudgement({ ...approved, score: 0.6 }, [], 0.7);
    expect(low.verdict).toBe('revise');
    expect(low.critique).toContain('Score 0.60 is below the approval threshold 0.70.');
    expect(shapeJudgement({ ...approved, score: 7 }, [], 0.7).score).toBe(1);
  });
});

describe('shapePlan', () => {
  it('reports a plan without any usable step', () => {
    const shaped = shapePlan(
      { summary: 's', steps: [{ query: '  ', categories: [], rationale: 'r' }] },
      taskRequest(),
      'p',
    );

    expect(shaped.problems).toEqual(['$.steps: at least one step with a non-empty query is required']);
  });
});

describe('shapeDraft', () => {
  it('drops repeats, cuts at maxResults and flags empty reasons', () => {
    const raw = {
      summary: 's',
      recommendations: [
        { itemId: 'bk-1', reason: 'a' },
        { itemId: 'bk-1', reason: 'again' },
        { itemId: 'bk-2', reason: ' ' },
        { itemId: 'bk-3', reason: 'c' },
        { itemId: 'mu-1', reason: 'd' },
      ],
    };

    const shaped = shapeDraft(raw, candidates(), taskRequest({ maxResults: 2 }), profile(), 'p');

    expect(shaped.value.recommendations.map((rec) => rec.itemId)).toEqual(['bk-1', 'bk-3']);
    expect(shaped.problems).toEqual(['$.recommendations[2].reason: must say why "bk-2" suits this user']);
  });
});

describe('rankScore', () => {
  it('scales relevance by 0.5 + 0.5 × affinity, kept between a tenth and one', () => {
    expect(rankScore({ relevance: 0.8, affinity: 0 })).toBe(0.4);
    expect(rankScore({ relevance: 0.8, affinity: 1 })).toBe(0.8);
    expect(rankScore({ relevance: 0.8, affinity: 3 })).toBe(0.8);
    expect(rankScore({ relevance: 2, affinity: -2 })).toBe(0.1);
  });
});

describe('withThreshold', () => {
  const judged = (score: number) =>
    shapeJudgement({ verdict: 'approved', critique: 'Good.', issues: [], score }, [], 0.7);

  it("re-decides a recorded judgement by the judge's own verdict and another threshold, either way", () => {
    expect(withThreshold(judged(0.8), [], 0.9)).toMatchObject({ verdict: 'revise', score: 0.8 });
    expect(withThreshold(judged(0.6), [], 0.5)).toMatchObject({ verdict: 'approved', score: 0.6 });
    expect(withThreshold(judged(0.8), [], 0.7)).toEqual(judged(0.8));
  });

  it('never approves past a rule check or a judge that asked for revision', () => {
    const check: ReviewCheck = { kind: 'duplicate', message: 'bk-1 twice.', itemIds: ['bk-1'] };
    expect(withThreshold(judged(0.95), [check], 0.5).verdict).toBe('revise');
    const revise = shapeJudgement({ verdict: 'revise', critique: 'No.', issues: [], score: 0.95 }, [], 0.7);
    expect(withThreshold(revise, [], 0.5).verdict).toBe('revise');
  });
});

import { describe, expect, it } from 'vitest';
import { ratio, summarise } from './report';
import { type AgentsAnswer, type CaseResult, type ListScore } from './score';

const list = (covered: boolean[], over: Partial<ListScore> = {}): ListScore => ({
  itemIds: ['a', 'b'],
  intentsCovered: covered,
  ndcg: 0.5,
  violations: [],
  excluded: [],
  categories: 1,
  diversity: 0.5,
  ...over,
});

const answer = (covered: boolean[], over: Partial<AgentsAnswer> = {}): AgentsAnswer => ({
  ...list(covered),
  outcome: 'approved',
  rounds: [{ round: 1, score: 0.9, verdict: 'approved' }],
  revised: 0,
  raised: 0,
  llmCalls: 3,
  latencyMs: 10,
  ...over,
});

const result = (id: string, answers: AgentsAnswer[], baseline: ListScore): CaseResult => ({
  id,
  userId: 'u-ada',
  query: id,
  labels: [],
  intents: baseline.intentsCovered.map((_, i) => `intent ${i + 1}`),
  answers,
  baseline: { ...baseline, latencyMs: 1 },
});

const figure = (rows: ReturnType<typeof summarise>, metric: string) => rows.find((r) => r.metric === metric);

describe('the summary', () => {
  const results = [
    // One intent, covered by the agents and missed by the baseline.
    result('one', [answer([true])], list([false], { ndcg: 0.2 })),
    // Two intents: the agents cover one after two revise rounds (one raised the score), the baseline both.
    result(
      'two',
      [
        answer([true, false], {
          ndcg: 0.7,
          outcome: 'best-effort',
          revised: 2,
          raised: 1,
          llmCalls: 7,
          violations: [{ itemId: 'a', reasons: ['price 90 over 50'] }],
        }),
      ],
      list([true, true], { ndcg: 0.9 }),
    ),
  ];
  const rows = summarise(results);

  it('counts coverage over intents, and every-intent coverage over requests', () => {
    expect(figure(rows, 'intent coverage')).toMatchObject({ systems: [2 / 3], baseline: 2 / 3 });
    expect(figure(rows, 'requests with every intent covered')).toMatchObject({
      systems: [0.5],
      baseline: 0.5,
    });
    expect(figure(rows, 'multi-intent requests with every intent covered')).toMatchObject({
      systems: [0],
      baseline: 1,
    });
  });

  it('averages nDCG over the cases and counts violating items', () => {
    expect(figure(rows, 'nDCG@k')?.systems[0]).toBeCloseTo(0.6, 10);
    expect(figure(rows, 'nDCG@k')?.baseline).toBeCloseTo(0.55, 10);
    expect(figure(rows, 'items breaking a hard constraint')).toMatchObject({ systems: [1], baseline: 0 });
  });

  it('gives the share of revise rounds that raised the score, best-effort endings and calls per task', () => {
    expect(figure(rows, 'revise rounds that raised the review score')).toMatchObject({
      systems: [0.5],
      baseline: null,
    });
    expect(figure(rows, 'best-effort endings')).toMatchObject({ systems: [0.5] });
    expect(figure(rows, 'LLM calls per task')).toMatchObject({ systems: [5], baseline: 0 });
  });

  it('prints ratios only when the baseline is a non-zero figure', () => {
    expect(ratio(0.6, 0.5)).toBe('1.20×');
    expect(ratio(3, 0)).toBe('–');
    expect(ratio(null, 0.5)).toBe('–');
  });
});

import { makeItem } from '@tributary/testing/catalogue/fixtures';
import { makeCase } from '@tributary/testing/evaluation/fixtures';
import { describe, expect, it } from 'vitest';
import { CaseIndex, coverageOf, loadEvaluationSet } from './evaluation-set';

describe('CaseIndex', () => {
  const novel = { label: 'novel', categories: ['books'] };
  const cases = [
    makeCase({ id: 'a', userId: 'u-ada', query: 'a sci-fi novel', intents: [novel] }),
    makeCase({ id: 'b', userId: 'u-bob', query: 'a sci-fi novel', intents: [novel] }),
    makeCase({ id: 'c1', userId: 'u-ada', query: 'twice', intents: [novel] }),
    makeCase({ id: 'c2', userId: 'u-ada', query: 'twice', intents: [novel] }),
  ];
  const index = new CaseIndex(cases);

  it('matches a request by its user and its query, spaces around the query aside', () => {
    expect(index.match({ userId: 'u-ada', query: 'a sci-fi novel' })?.id).toBe('a');
    expect(index.match({ userId: 'u-bob', query: '  a sci-fi novel\n' })?.id).toBe('b');
  });

  it('matches nothing for another user, other words, or a request two cases share', () => {
    expect(index.match({ userId: 'u-cy', query: 'a sci-fi novel' })).toBeUndefined();
    expect(index.match({ userId: 'u-ada', query: 'a sci-fi Novel' })).toBeUndefined();
    expect(index.match({ userId: 'u-ada', query: 'twice' })).toBeUndefined();
  });
});

describe('coverageOf', () => {
  const items = new Map(
    [
      makeItem({ id: 'bk-1', category: 'books', tags: ['sci-fi'], price: 12 }),
      makeItem({ id: 'bk-2', category: 'books', tags: ['romance'], price: 12 }),
      makeItem({ id: 'od-1', category: 'outdoor', tags: ['hiking'], price: 300 }),
    ].map((item) => [item.id, item]),
  );
  const evalCase = makeCase({
    intents: [
      { label: 'sci-fi novel', categories: ['books'], tags: ['sci-fi'] },
      { label: 'hiking gear', categories: ['outdoor'], tags: ['hiking'] },
    ],
    constraints: { categories: [], minPrice: null, maxPrice: 100, excludeItemIds: [], excludeTags: [] },
  });

  it('covers an intent with an item that serves it fully and keeps the constraints', () => {
    expect(coverageOf(evalCase, ['bk-2', 'bk-1'], items)).toEqual([true, false]);
  });

  it('does not count an item of the right category without the tag, one over the price, or an unknown id', () => {
    expect(coverageOf(evalCase, ['bk-2', 'od-1', 'xx-9'], items)).toEqual([false, false]);
    expect(coverageOf(evalCase, [], items)).toEqual([false, false]);
  });
});

describe('loadEvaluationSet', () => {
  it('loads the shipped set with the catalogue it is judged against', async () => {
    const set = await loadEvaluationSet({
      dir: 'data/eval/cases',
      catalogueFile: 'data/catalogue.jsonl',
      profilesFile: 'data/profiles.jsonl',
    });
    const first = set.cases[0]!;
    expect(set.index.match(first)?.id).toBe(first.id);
    expect(set.items.size).toBeGreaterThan(100);
  });
});

import { describe, expect, it } from 'vitest';
import { makeItem, scored } from '@tributary/testing/catalogue/fixtures';
import { Bm25Index } from './bm25';
import { HybridSearch, reciprocalRankFusion, RRF_K } from './fusion';
import { DenseIndex } from './vectors';

const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => makeItem({ id })) as [
  ReturnType<typeof makeItem>,
  ReturnType<typeof makeItem>,
  ReturnType<typeof makeItem>,
  ReturnType<typeof makeItem>,
];

describe('reciprocalRankFusion', () => {
  it('scores an item by the sum of 1 / (k + rank) over the rankings that hold it', () => {
    const fused = reciprocalRankFusion([
      [scored(a, 12), scored(b, 7)],
      [scored(b, 0.9), scored(c, 0.8)],
    ]);
    expect(fused.map((hit) => hit.item.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]?.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1), 12);
    expect(fused[1]?.score).toBeCloseTo(1 / (RRF_K + 1), 12);
    expect(fused[2]?.score).toBeCloseTo(1 / (RRF_K + 2), 12);
  });

  it('reads only ranks, so a ranking with large raw scores does not outweigh the other', () => {
    const fused = reciprocalRankFusion([[scored(a, 1000), scored(b, 999)], [scored(b, 0.01)]]);
    expect(fused.map((hit) => hit.item.id)).toEqual(['b', 'a']);
  });

  it('lets agreement beat a single first place at the usual k, and first places win as k nears 0', () => {
    // a and c: first in one ranking each; b: third in one and second in the other.
    const rankings = [
      [scored(a, 3), scored(d, 2), scored(b, 1)],
      [scored(c, 3), scored(b, 1)],
    ];
    expect(reciprocalRankFusion(rankings).map((hit) => hit.item.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(reciprocalRankFusion(rankings, { k: 0 }).map((hit) => hit.item.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('keeps the words an item matched in any ranking, and orders ties by id', () => {
    const fused = reciprocalRankFusion([
      [scored(d, 2, ['tent']), scored(c, 1)],
      [scored(c, 2, ['camping']), scored(d, 1, ['tent', 'hiking'])],
    ]);
    expect(fused.map((hit) => hit.item.id)).toEqual(['c', 'd']);
    expect(fused.find((hit) => hit.item.id === 'd')?.matchedTerms).toEqual(['tent', 'hiking']);
    expect(fused.find((hit) => hit.item.id === 'c')?.matchedTerms).toEqual(['camping']);
  });

  it('cuts the fused list at the limit and fuses nothing into nothing', () => {
    expect(reciprocalRankFusion([[scored(a, 3), scored(b, 2), scored(c, 1)]], { limit: 2 })).toHaveLength(2);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});

describe('HybridSearch', () => {
  const items = [
    makeItem({ id: 'tent', title: 'Trail tent', category: 'outdoor', tags: ['camping'] }),
    makeItem({ id: 'bag', title: 'Sleeping bag', category: 'outdoor', tags: ['camping'] }),
    makeItem({ id: 'novel', title: 'The tent of stars', category: 'books', tags: ['sci-fi'] }),
  ];
  const vectors = new Map([
    ['tent', Float32Array.of(1, 0)],
    ['bag', Float32Array.of(0.9, 0.1)],
    ['novel', Float32Array.of(0, 1)],
  ]);
  const bm25 = new Bm25Index(items);
  const dense = new DenseIndex(items, vectors);

  it('brings in what only the vectors find, beside what the words find', () => {
    const hybrid = new HybridSearch(bm25, dense, new Map([['tent', Float32Array.of(1, 0)]]));
    const ids = hybrid.search('tent', { limit: 3 }).map((hit) => hit.item.id);
    expect(bm25.search('tent', { limit: 3 }).map((hit) => hit.item.id)).not.toContain('bag');
    expect(ids[0]).toBe('tent');
    expect(ids).toContain('bag');
  });

  it('applies the filter to both rankings', () => {
    const hybrid = new HybridSearch(bm25, dense, new Map([['tent', Float32Array.of(1, 0)]]));
    const ids = hybrid
      .search('tent', { limit: 3, filter: { categories: ['books'] } })
      .map((hit) => hit.item.id);
    expect(ids).toEqual(['novel']);
  });

  it('answers a query it has no vector for with BM25 alone', () => {
    const hybrid = new HybridSearch(bm25, dense, new Map());
    expect(hybrid.search('tent', { limit: 3 })).toEqual(bm25.search('tent', { limit: 3 }));
  });
});

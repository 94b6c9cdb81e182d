import { describe, expect, it } from 'vitest';
import { rerankForProfile } from './personalise';
import { makeItem, makeProfile, scored } from '@tributary/testing/catalogue/fixtures';

const ids = (ranked: readonly { item: { id: string } }[]): string[] => ranked.map(({ item }) => item.id);

describe('rerankForProfile', () => {
  it('puts a disliked-tag item below a liked one of equal relevance', () => {
    const liked = makeItem({ id: 'b', tags: ['sci-fi'] });
    const disliked = makeItem({ id: 'a', tags: ['horror'] });
    const profile = makeProfile({ interests: { 'sci-fi': 0.8 }, dislikedTags: ['horror'] });
    const ranked = rerankForProfile([scored(disliked, 5), scored(liked, 5)], profile, { diversity: 0 });
    expect(ids(ranked)).toEqual(['b', 'a']);
    expect(ranked[1]?.breakdown.affinity).toBeLessThan(-1);
  });

  it('lets a dislike outweigh even a much stronger text match', () => {
    const disliked = makeItem({ id: 'a', tags: ['horror'] });
    const weak = makeItem({ id: 'b' });
    const ranked = rerankForProfile(
      [scored(disliked, 10), scored(weak, 1)],
      makeProfile({ dislikedTags: ['horror'] }),
      { diversity: 0 },
    );
    expect(ids(ranked)).toEqual(['b', 'a']);
  });

  it('ranks items over budget below those within it, more so the further over they are', () => {
    const profile = makeProfile({ budget: { max: 50, currency: 'EUR' } });
    const within = makeItem({ id: 'c', price: 49 });
    const slightlyOver = makeItem({ id: 'a', price: 60 });
    const farOver = makeItem({ id: 'b', price: 140 });
    const ranked = rerankForProfile(
      [scored(farOver, 3), scored(slightlyOver, 3), scored(within, 3)],
      profile,
      { diversity: 0 },
    );
    expect(ids(ranked)).toEqual(['c', 'a', 'b']);
  });

  it('does not apply a budget in another currency', () => {
    const profile = makeProfile({ budget: { max: 10, currency: 'USD' } });
    const [ranked] = rerankForProfile([scored(makeItem({ id: 'a', price: 500, rating: 3.5 }), 1)], profile);
    expect(ranked?.breakdown.affinity).toBe(0);
  });

  it('drops items from the history by default, or ranks them lower when asked', () => {
    const profile = makeProfile({ history: ['a'] });
    const input = [scored(makeItem({ id: 'a' }), 5), scored(makeItem({ id: 'b' }), 4)];
    expect(ids(rerankForProfile(input, profile))).toEqual(['b']);
    expect(ids(rerankForProfile(input, profile, { history: 'penalise', diversity: 0 }))).toEqual(['b', 'a']);
  });

  it('favours preferred categories and interests at equal relevance', () => {
    const profile = makeProfile({ preferredCategories: ['outdoor'], interests: { hiking: 0.9 } });
    const plain = makeItem({ id: 'a', category: 'books' });
    const preferred = makeItem({ id: 'b', category: 'outdoor' });
    const interesting = makeItem({ id: 'c', category: 'books', tags: ['hiking'] });
    const ranked = rerankForProfile(
      [scored(plain, 2), scored(preferred, 2), scored(interesting, 2)],
      profile,
      { diversity: 0 },
    );
    expect(ids(ranked)).toEqual(['c', 'b', 'a']);
  });

  it('spreads categories when diversity is on', () => {
    const books = ['b1', 'b2', 'b3'].map((id, i) =>
      scored(makeItem({ id, category: 'books', tags: ['sci-fi'] }), 10 - i * 0.1),
    );
    const films = ['f1', 'f2'].map((id, i) =>
      scored(makeItem({ id, category: 'films', tags: ['drama'] }), 9 - i * 0.1),
    );
    const profile = makeProfile();
    const plain = rerankForProfile([...books, ...films], profile, { diversity: 0, limit: 3 });
    const diverse = rerankForProfile([...books, ...films], profile, { diversity: 0.5, limit: 3 });
    expect(ids(plain)).toEqual(['b1', 'b2', 'b3']);
    expect(ids(diverse)).toEqual(['b1', 'f1', 'b2']);
    expect(diverse[1]?.breakdown.diversityPenalty).toBe(0);
    expect(diverse[2]?.breakdown.diversityPenalty).toBeCloseTo(0.5, 10);
  });

  it('reports a breakdown whose parts add up to the final score, returned in descending order', () => {
    const profile = makeProfile({ interests: { eco: 0.5 } });
    const input = ['a', 'b', 'c', 'd'].map((id, i) =>
      scored(makeItem({ id, tags: i % 2 === 0 ? ['eco'] : ['gift'] }), 4 - i),
    );
    const ranked = rerankForProfile(input, profile);
    for (const { score, breakdown } of ranked) {
      expect(breakdown.final).toBeCloseTo(
        breakdown.relevance + breakdown.affinity - breakdown.diversityPenalty,
        12,
      );
      expect(score).toBe(breakdown.final);
    }
    expect(ranked[0]?.breakdown.relevance).toBe(1);
    const finals = ranked.map(({ score }) => score);
    expect(finals).toEqual([...finals].sort((x, y) => y - x));
  });

  it('is deterministic: the same candidates in any order give the same ranking', () => {
    const profile = makeProfile({ interests: { eco: 0.4, gift: 0.4 } });
    const input = Array.from({ length: 12 }, (_, i) =>
      scored(
        makeItem({
          id: `x-${String(i).padStart(2, '0')}`,
          category: i % 3 === 0 ? 'books' : 'kitchen',
          tags: i % 2 === 0 ? ['eco'] : ['gift'],
        }),
        i % 4,
      ),
    );
    const once = rerankForProfile(input, profile);
    const again = rerankForProfile([...input].reverse(), profile);
    expect(again).toEqual(once);
    expect(once).toHaveLength(12);
  });

  it('without diversity, orders by score and then item id, equal ids in input order, up to the limit', () => {
    const profile = makeProfile({ budget: undefined });
    const entries = [
      scored(makeItem({ id: 'b', rating: 3.5 }), 2),
      scored(makeItem({ id: 'c', rating: 3.5 }), 4),
      scored(makeItem({ id: 'a', rating: 3.5 }), 2),
      scored(makeItem({ id: 'b', rating: 3.5, title: 'second b' }), 2),
      scored(makeItem({ id: 'd', rating: 3.5 }), 1),
    ];
    const ranked = rerankForProfile(entries, profile, { diversity: 0 });
    expect(ranked.map(({ item }) => `${item.id} ${item.title}`)).toEqual([
      'c Item c',
      'a Item a',
      'b Item b',
      'b second b',
      'd Item d',
    ]);
    expect(ranked.map(({ score }) => score)).toEqual([1, 0.5, 0.5, 0.5, 0.25]);
    expect(ranked.every(({ breakdown }) => breakdown.diversityPenalty === 0)).toBe(true);
    expect(ids(rerankForProfile(entries, profile, { diversity: 0, limit: 2 }))).toEqual(['c', 'a']);
    expect(ids(rerankForProfile(entries, profile, { diversity: 0, limit: 2.5 }))).toEqual(['c', 'a', 'b']);
    expect(rerankForProfile(entries, profile, { diversity: 0, limit: 0 })).toEqual([]);
  });

  it('with diversity, lowers an item by its likeness to those above: half category, half shared tags', () => {
    const profile = makeProfile({ budget: undefined });
    const entries = [
      scored(makeItem({ id: 'a', category: 'books', tags: ['x', 'y'], rating: 3.5 }), 10),
      scored(makeItem({ id: 'b', category: 'books', tags: ['y', 'z'], rating: 3.5 }), 10),
      scored(makeItem({ id: 'c', category: 'films', tags: ['x', 'y', 'z', 'w'], rating: 3.5 }), 10),
    ];
    const ranked = rerankForProfile(entries, profile, { diversity: 1 });
    // After "a": "b" is 0.5 + 0.5 × 1/3 like it, "c" 0.5 × 2/4; "b" is 0.5 × 2/4 like "c", less than like "a".
    expect(ranked.map(({ item, breakdown }) => [item.id, breakdown.diversityPenalty])).toEqual([
      ['a', 0],
      ['c', 0.25],
      ['b', 0.5 + 0.5 * (1 / 3)],
    ]);
  });
});

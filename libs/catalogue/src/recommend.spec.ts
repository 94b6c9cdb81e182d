import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25';
import { recommend } from './recommend';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';

const index = new Bm25Index([
  makeItem({ id: 'bk-1', title: 'Mountain Walks', category: 'books', tags: ['hiking'], price: 15 }),
  makeItem({ id: 'bk-2', title: 'Orbit of Ash', category: 'books', tags: ['sci-fi'], price: 12 }),
  makeItem({
    id: 'od-1',
    title: 'Trail Hiking Boots',
    category: 'outdoor',
    tags: ['hiking', 'boots'],
    price: 140,
  }),
  makeItem({
    id: 'od-2',
    title: 'Hiking Daypack',
    category: 'outdoor',
    tags: ['hiking', 'backpack'],
    price: 60,
  }),
  makeItem({ id: 'kt-1', title: 'Chef Knife', category: 'kitchen', tags: ['knife'], price: 70 }),
]);

describe('recommend', () => {
  it('searches, personalises and explains within the constraints', () => {
    const profile = makeProfile({ interests: { hiking: 0.7 }, budget: { max: 100, currency: 'EUR' } });
    const results = recommend(index, 'hiking gear', profile, {
      limit: 2,
      constraints: { categories: ['outdoor', 'books'] },
    });
    expect(results.map(({ item }) => item.id)).toEqual(['od-2', 'bk-1']);
    expect(results[0]?.reason).toContain('matches your interest in hiking');
  });

  it('falls back to the profile alone when the query matches too little', () => {
    const profile = makeProfile({ interests: { 'sci-fi': 0.9 }, history: ['bk-1'] });
    const results = recommend(index, 'a present please', profile, {
      limit: 2,
      constraints: { categories: ['books', 'kitchen'] },
    });
    expect(results.map(({ item }) => item.id)).toEqual(['bk-2', 'kt-1']);
    expect(results.every(({ breakdown }) => breakdown.relevance === 0)).toBe(true);
  });
});

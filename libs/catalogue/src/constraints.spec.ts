import { describe, expect, it } from 'vitest';
import { satisfies, violations } from './constraints';
import { makeItem } from '@tributary/testing/catalogue/fixtures';

const item = makeItem({ id: 'bk-0007', category: 'books', tags: ['horror', 'gothic', 'gift'], price: 24.5 });

describe('violations', () => {
  it('is empty when every rule holds, and empty lists restrict nothing', () => {
    expect(violations(item, {})).toEqual([]);
    expect(violations(item, { categories: [], excludeTags: [], excludeItemIds: [] })).toEqual([]);
    expect(violations(item, { categories: ['books', 'films'], minPrice: 24.5, maxPrice: 24.5 })).toEqual([]);
    expect(satisfies(item, { categories: ['books'] })).toBe(true);
  });

  it('explains each broken rule', () => {
    expect(violations(item, { categories: ['kitchen', 'outdoor'] })).toEqual([
      'category "books" is not one of: kitchen, outdoor',
    ]);
    expect(violations(item, { minPrice: 30 })).toEqual(['price 24.50 EUR is below the minimum of 30']);
    expect(violations(item, { maxPrice: 20 })).toEqual(['price 24.50 EUR is above the maximum of 20']);
    expect(violations(item, { excludeItemIds: ['bk-0007'] })).toEqual([
      'item bk-0007 is explicitly excluded',
    ]);
    expect(violations(item, { excludeTags: ['horror', 'gothic', 'romance'] })).toEqual([
      'tagged "horror", "gothic", which are excluded',
    ]);
  });

  it('lists all broken rules at once', () => {
    const reasons = violations(item, { categories: ['music'], maxPrice: 10, excludeTags: ['gift'] });
    expect(reasons).toHaveLength(3);
    expect(satisfies(item, { maxPrice: 10 })).toBe(false);
  });
});

describe('satisfies', () => {
  it('holds exactly when there are no violations', () => {
    const rules = [
      {},
      { categories: [] },
      { categories: ['books'] },
      { categories: ['music', 'films'] },
      { minPrice: 24.5 },
      { minPrice: 24.51 },
      { maxPrice: 24.5 },
      { maxPrice: 24.49 },
      { excludeItemIds: ['bk-0001'] },
      { excludeItemIds: ['bk-0007'] },
      { excludeTags: ['romance'] },
      { excludeTags: ['romance', 'gift'] },
      { categories: ['books'], maxPrice: 30, excludeTags: ['romance'], excludeItemIds: [] },
    ];
    const verdicts = rules.map((rule) => satisfies(item, rule));
    expect(verdicts).toEqual(rules.map((rule) => violations(item, rule).length === 0));
    expect(verdicts).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});

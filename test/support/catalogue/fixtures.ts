import { type CatalogueItem, type ScoredItem, type UserProfile } from '@tributary/catalogue';

/** Catalogue items, profiles and search hits for tests: only the fields a test names differ from plain defaults. */

export function makeItem(overrides: Partial<CatalogueItem> & Pick<CatalogueItem, 'id'>): CatalogueItem {
  return {
    title: `Item ${overrides.id}`,
    category: 'books',
    tags: [],
    description: '',
    price: 10,
    currency: 'EUR',
    rating: 4,
    attributes: {},
    ...overrides,
  };
}

export function makeProfile(overrides: Partial<UserProfile> = {}): UserProfile {
  return {
    userId: 'u-test',
    displayName: 'Test',
    interests: {},
    preferredCategories: [],
    dislikedTags: [],
    budget: { max: 100, currency: 'EUR' },
    history: [],
    ...overrides,
  };
}

export const scored = (item: CatalogueItem, score: number, matchedTerms: string[] = []): ScoredItem => ({
  item,
  score,
  matchedTerms,
});

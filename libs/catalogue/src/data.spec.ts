import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import CATEGORIES from '../../../data/categories.json';
import { Bm25Index } from './bm25';
import { loadCatalogueFile, loadProfilesFile } from './parse';
import { rerankForProfile } from './personalise';
import { type CatalogueItem, type UserProfile } from './types';

const repoPath = (relative: string): string =>
  fileURLToPath(new URL(`../../../${relative}`, import.meta.url));

describe('shipped data', () => {
  let items: CatalogueItem[];
  let profiles: UserProfile[];

  beforeAll(async () => {
    items = await loadCatalogueFile(repoPath('data/catalogue.jsonl'));
    profiles = await loadProfilesFile(repoPath('data/profiles.jsonl'));
  });

  it('has at least 500 items across at least 10 categories', () => {
    expect(items.length).toBeGreaterThanOrEqual(500);
    expect(new Set(items.map((item) => item.category)).size).toBeGreaterThanOrEqual(10);
  });

  it('uses exactly the categories of data/categories.json, each with items', () => {
    const defined = Object.keys(CATEGORIES);
    expect(new Set(items.map((item) => item.category))).toEqual(new Set(defined));
    for (const profile of profiles) {
      expect(
        profile.preferredCategories.filter((category) => !defined.includes(category)),
        profile.userId,
      ).toEqual([]);
    }
  });

  it('has 5 to 40 distinct tags per category, and tags shared across categories', () => {
    const tagsByCategory = new Map<string, Set<string>>();
    for (const item of items) {
      const tags = tagsByCategory.get(item.category) ?? new Set<string>();
      item.tags.forEach((tag) => tags.add(tag));
      tagsByCategory.set(item.category, tags);
    }
    for (const [category, tags] of tagsByCategory) {
      expect(tags.size, category).toBeGreaterThanOrEqual(5);
      expect(tags.size, category).toBeLessThanOrEqual(40);
    }
    for (const shared of ['beginner', 'gift', 'eco', 'family', 'compact']) {
      const categories = [...tagsByCategory].filter(([, tags]) => tags.has(shared));
      expect(categories.length, shared).toBeGreaterThanOrEqual(3);
    }
  });

  it('rarely repeats a description sentence', () => {
    const sentences = items.flatMap((item) => item.description.split(/(?<=\.)\s+/));
    expect(new Set(sentences).size / sentences.length).toBeGreaterThan(0.95);
  });

  it('has 8 distinct profiles whose history ids all exist', () => {
    expect(profiles).toHaveLength(8);
    const ids = new Set(items.map((item) => item.id));
    for (const profile of profiles) {
      expect(profile.history.length, profile.userId).toBeGreaterThan(0);
      expect(
        profile.history.filter((id) => !ids.has(id)),
        profile.userId,
      ).toEqual([]);
    }
    const personas = new Set(profiles.map((profile) => [...profile.preferredCategories].sort().join(',')));
    expect(personas.size).toBe(8);
  });

  it('finds the obvious items for plain queries', () => {
    const index = new Bm25Index(items);
    const top = (query: string): CatalogueItem | undefined => index.search(query, { limit: 1 })[0]?.item;
    expect(top('hiking boots')?.title).toMatch(/Hiking Boots/);
    expect(top('noise cancelling headphones')?.tags).toContain('headphones');
    expect(top('sourdough')?.tags).toContain('sourdough');
    expect(top('space opera')?.tags).toContain('space-opera');
  });

  it('personalises: the same query ranks differently for different people', () => {
    const index = new Bm25Index(items);
    const hits = index.search('gift', { limit: 100 });
    const topFor = (userId: string): string[] => {
      const profile = profiles.find((candidate) => candidate.userId === userId);
      if (profile === undefined) throw new Error(`missing ${userId}`);
      return rerankForProfile(hits, profile, { limit: 5 }).map(({ item }) => item.category);
    };
    expect(topFor('u-bruno')).not.toEqual(topFor('u-chen'));
  });
});

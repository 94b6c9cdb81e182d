import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogueFile, loadProfilesFile } from '@tributary/catalogue';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseError, loadCases } from './cases';

const CATEGORIES = Object.keys(JSON.parse(readFileSync('data/categories.json', 'utf8')) as object);

describe('the shipped judged set', () => {
  it('loads, and covers every profile and every category, single- and multi-intent requests', async () => {
    const [catalogue, profiles] = await Promise.all([
      loadCatalogueFile('data/catalogue.jsonl'),
      loadProfilesFile('data/profiles.jsonl'),
    ]);
    const cases = loadCases('data/eval/cases', catalogue, profiles);
    expect(cases.length).toBeGreaterThanOrEqual(120);
    expect(new Set(cases.map((c) => c.userId))).toEqual(new Set(profiles.map((p) => p.userId)));
    const judged = new Set(cases.flatMap((c) => c.intents.flatMap((intent) => intent.categories)));
    expect([...judged].sort()).toEqual([...CATEGORIES].sort());
    expect(cases.some((c) => c.intents.length > 1)).toBe(true);
    expect(cases.some((c) => c.intents.length === 1)).toBe(true);
    for (const label of ['price', 'exclusion', 'vague', 'specific', 'typo', 'other-language'])
      expect(cases.filter((c) => c.labels.includes(label)).length, label).toBeGreaterThan(3);
  });
});

describe('loading cases', () => {
  const catalogue = [
    makeItem({ id: 'bk-1', category: 'books', tags: ['sci-fi'], price: 12 }),
    makeItem({ id: 'od-1', category: 'outdoor', tags: ['hiking'], price: 90 }),
  ];
  const profiles = [makeProfile({ userId: 'u-ada' })];
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const dirWith = (...lines: object[]): string => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-cases-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'cases.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n'));
    return dir;
  };
  const hiking = { label: 'hiking', categories: ['outdoor'], tags: ['hiking'] };

  it('fills in the defaults of a minimal case', () => {
    const [loaded] = loadCases(
      dirWith({ id: 'a', userId: 'u-ada', query: 'hiking gear', intents: [hiking] }),
      catalogue,
      profiles,
    );
    expect(loaded).toMatchObject({
      maxResults: 5,
      constraints: { categories: [], minPrice: null, maxPrice: null, excludeTags: [], excludeItemIds: [] },
      mustNot: { categories: [], tags: [], items: [] },
      labels: [],
    });
  });

  it('refuses unknown users, categories, tags and items, repeated ids, and intents nothing can serve', () => {
    const load =
      (...lines: object[]) =>
      () =>
        loadCases(dirWith(...lines), catalogue, profiles);
    const base = { userId: 'u-ada', query: 'q', intents: [hiking] };
    expect(load({ ...base, id: 'a', userId: 'u-nobody' })).toThrow(/no profile for u-nobody/);
    expect(load({ ...base, id: 'a', intents: [{ label: 'x', categories: ['garden'] }] })).toThrow(
      /unknown category "garden"/,
    );
    expect(load({ ...base, id: 'a', mustNot: { tags: ['hikking'] } })).toThrow(/unknown tag "hikking"/);
    expect(load({ ...base, id: 'a', intents: [{ label: 'x', items: ['od-9'] }] })).toThrow(
      /unknown item "od-9"/,
    );
    expect(load({ ...base, id: 'a' }, { ...base, id: 'a' })).toThrow(/id a is used twice/);
    expect(load({ ...base, id: 'a', constraints: { maxPrice: 50 } })).toThrow(
      /no catalogue item serves "hiking" within the constraints/,
    );
    expect(load({ ...base, id: 'a', intents: [{ label: 'empty' }] })).toThrow(CaseError);
  });
});

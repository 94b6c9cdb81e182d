import { Bm25Index, type CatalogueItem } from '@tributary/catalogue';
import { type Plan } from '@tributary/contracts';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';
import { taskRequest } from '@tributary/testing/llm/fixtures';
import { describe, expect, it } from 'vitest';
import { rankCandidates } from './retriever';

const CATALOGUE: CatalogueItem[] = [
  makeItem({
    id: 'od-boots',
    title: 'Trail Hiking Boots',
    category: 'outdoor',
    tags: ['hiking', 'boots'],
    price: 90,
  }),
  makeItem({
    id: 'od-pack',
    title: 'Hiking Daypack',
    category: 'outdoor',
    tags: ['hiking', 'backpack'],
    price: 45,
  }),
  makeItem({ id: 'od-tent', title: 'Two-Person Tent', category: 'outdoor', tags: ['camping'], price: 150 }),
  makeItem({
    id: 'bk-walks',
    title: 'Mountain Walks',
    category: 'books',
    tags: ['hiking', 'guide'],
    price: 18,
  }),
  makeItem({ id: 'bk-orbit', title: 'Orbit of Ash', category: 'books', tags: ['sci-fi'], price: 12 }),
  makeItem({ id: 'kt-knife', title: 'Chef Knife', category: 'kitchen', tags: ['knife'], price: 70 }),
];

function planOf(...steps: { query: string; categories?: string[] }[]): Plan {
  return {
    summary: 'test plan',
    steps: steps.map((step, i) => ({
      id: `step-${i + 1}`,
      query: step.query,
      categories: step.categories ?? [],
      rationale: '',
      intent: null,
    })),
    provider: 'test',
    intents: [],
  };
}

const ids = (candidates: { itemId: string }[]): string[] => candidates.map((candidate) => candidate.itemId);
const noTaste = makeProfile({ budget: undefined });

describe('the retriever: ordering', () => {
  it('offers the items that match the request, the best match first, and none that match nothing', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest(),
      planOf({ query: 'hiking boots' }),
      noTaste,
    );

    expect(ids(candidates)[0]).toBe('od-boots');
    expect(new Set(ids(candidates))).toEqual(new Set(['od-boots', 'od-pack', 'bk-walks']));
    expect(candidates[0]?.relevance).toBe(1);
    expect(candidates.every((candidate) => candidate.relevance > 0 && candidate.relevance <= 1)).toBe(true);
  });

  it("searches the request's own words when the plan has no steps", () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest({ query: 'a chef knife please' }),
      planOf(),
      noTaste,
    );

    expect(ids(candidates)).toEqual(['kt-knife']);
  });

  it('offers four candidates per requested result, and at least twelve', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      makeItem({ id: `od-${String(i).padStart(2, '0')}`, title: `Hiking item ${i}`, category: 'outdoor' }),
    );
    const index = new Bm25Index(many);
    const count = (maxResults: number): number =>
      rankCandidates(index, taskRequest({ maxResults }), planOf({ query: 'hiking' }), noTaste).length;

    expect(count(1)).toBe(12);
    expect(count(3)).toBe(12);
    expect(count(5)).toBe(20);
  });

  it('merges the hits of every step, each item once', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest({ maxResults: 10 }),
      planOf({ query: 'hiking' }, { query: 'sci-fi' }, { query: 'hiking daypack' }),
      noTaste,
    );

    expect(ids(candidates)).toHaveLength(new Set(ids(candidates)).size);
    expect(new Set(ids(candidates))).toEqual(new Set(['od-boots', 'od-pack', 'bk-walks', 'bk-orbit']));
  });

  it('scores each item by its best match over the steps, whatever their order', () => {
    const index = new Bm25Index(CATALOGUE);
    const scores = (...queries: string[]): [string, number][] =>
      rankCandidates(index, taskRequest(), planOf(...queries.map((query) => ({ query }))), noTaste).map(
        (candidate) => [candidate.itemId, candidate.relevance],
      );

    expect(scores('hiking daypack', 'hiking boots')).toEqual(scores('hiking boots', 'hiking daypack'));
    expect(scores('hiking daypack', 'hiking boots').map(([id]) => id)).toEqual([
      'od-boots',
      'od-pack',
      'bk-walks',
    ]);
  });

  it('lists the words an item matched in every step, whatever the order of the steps', () => {
    const index = new Bm25Index(CATALOGUE);
    const termsOfBoots = (...queries: string[]): string[] =>
      rankCandidates(index, taskRequest(), planOf(...queries.map((query) => ({ query }))), noTaste)
        .find((candidate) => candidate.itemId === 'od-boots')
        ?.matchedTerms.slice()
        .sort() ?? [];

    expect(termsOfBoots('trail', 'boots')).toEqual(['boots', 'trail']);
    expect(termsOfBoots('boots', 'trail')).toEqual(['boots', 'trail']);
  });

  it('lists the request words each candidate matched, and explains it in the hint', () => {
    const [boots] = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest(),
      planOf({ query: 'hiking boots' }),
      noTaste,
    );

    expect(boots?.matchedTerms).toEqual(['hiking', 'boots']);
    expect(boots?.hint).toContain('Strong match for your search (hiking, boots)');
  });
});

describe('the retriever: constraints', () => {
  it("never offers an item outside the request's constraints", () => {
    const index = new Bm25Index(CATALOGUE);
    const offered = (constraints: Parameters<typeof taskRequest>[1]): string[] =>
      ids(rankCandidates(index, taskRequest({}, constraints), planOf({ query: 'hiking' }), noTaste));

    expect(offered({})).toEqual(expect.arrayContaining(['od-boots', 'od-pack', 'bk-walks']));
    expect(offered({ categories: ['books'] })).toEqual(['bk-walks']);
    expect(offered({ maxPrice: 50 }).sort()).toEqual(['bk-walks', 'od-pack']);
    expect(offered({ minPrice: 50 })).toEqual(['od-boots']);
    expect(offered({ excludeTags: ['boots'] }).sort()).toEqual(['bk-walks', 'od-pack']);
    expect(offered({ excludeItemIds: ['od-pack', 'bk-walks'] })).toEqual(['od-boots']);
  });

  it('narrows a step to its own categories, within what the request allows', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest(),
      planOf({ query: 'hiking', categories: ['books'] }),
      noTaste,
    );

    expect(ids(candidates)).toEqual(['bk-walks']);
  });

  it("falls back to the request's constraints when a step's categories hold nothing that matches", () => {
    const index = new Bm25Index(CATALOGUE);
    const offered = (constraints: Parameters<typeof taskRequest>[1]): string[] =>
      ids(
        rankCandidates(
          index,
          taskRequest({}, constraints),
          planOf({ query: 'hiking', categories: ['kitchen'] }),
          noTaste,
        ),
      ).sort();

    expect(offered({})).toEqual(['bk-walks', 'od-boots', 'od-pack']);
    expect(offered({ categories: ['outdoor', 'kitchen'] })).toEqual(['od-boots', 'od-pack']);
  });
});

describe('the retriever: personalisation', () => {
  /** Two items that differ only in what the test names: the same words, price and rating. */
  const twins = (a: Partial<CatalogueItem>, b: Partial<CatalogueItem>): Bm25Index =>
    new Bm25Index([
      makeItem({ id: 'od-a', title: 'Hiking Poles', category: 'outdoor', tags: ['hiking'], ...a }),
      makeItem({ id: 'od-b', title: 'Hiking Poles', category: 'outdoor', tags: ['hiking'], ...b }),
    ]);
  const rank = (index: Bm25Index, profile = noTaste): string[] =>
    ids(rankCandidates(index, taskRequest(), planOf({ query: 'hiking poles' }), profile));

  it('orders twins by id, so the tests below are decided by the profile alone', () => {
    expect(rank(twins({}, {}))).toEqual(['od-a', 'od-b']);
  });

  it("ranks an item matching the user's interests above its twin", () => {
    const profile = makeProfile({ interests: { trekking: 0.8 }, budget: undefined });

    expect(rank(twins({}, { tags: ['hiking', 'trekking'] }), profile)).toEqual(['od-b', 'od-a']);
  });

  it("ranks an item in one of the user's preferred categories above its twin", () => {
    const profile = makeProfile({ preferredCategories: ['fitness'], budget: undefined });

    expect(rank(twins({}, { category: 'fitness' }), profile)).toEqual(['od-b', 'od-a']);
  });

  it('ranks an item with a disliked tag below its twin', () => {
    const profile = makeProfile({ dislikedTags: ['aluminium'], budget: undefined });

    expect(rank(twins({ tags: ['hiking', 'aluminium'] }, {}), profile)).toEqual(['od-b', 'od-a']);
  });

  it("ranks an item over the user's budget below its twin", () => {
    const profile = makeProfile({ budget: { max: 50, currency: 'EUR' } });

    expect(rank(twins({ price: 80 }, { price: 45 }), profile)).toEqual(['od-b', 'od-a']);
  });

  it('ranks a better-rated item above its twin', () => {
    expect(rank(twins({ rating: 3 }, { rating: 4.8 }))).toEqual(['od-b', 'od-a']);
  });

  it('leaves out what the user already has', () => {
    const profile = makeProfile({ history: ['od-a'], budget: undefined });

    expect(rank(twins({}, {}), profile)).toEqual(['od-b']);
  });

  it('ranks the same hits differently for different people', () => {
    const index = new Bm25Index(CATALOGUE);
    const request = taskRequest({ maxResults: 1 });
    const plan = planOf({ query: 'hiking' });
    const first = (profile: ReturnType<typeof makeProfile>): string | undefined =>
      rankCandidates(index, request, plan, profile)[0]?.itemId;

    expect(first(makeProfile({ interests: { guide: 0.9 }, preferredCategories: ['books'] }))).toBe(
      'bk-walks',
    );
    expect(first(makeProfile({ interests: { backpack: 0.9 }, preferredCategories: ['outdoor'] }))).toBe(
      'od-pack',
    );
  });
});

describe('the retriever: intents', () => {
  const intentPlan = (profileQuery?: string): Plan => ({
    summary: 'two intents',
    steps: [
      { id: 'step-1', query: 'sci-fi', categories: ['books'], rationale: '', intent: 'intent-1' },
      { id: 'step-2', query: 'hiking', categories: ['outdoor'], rationale: '', intent: 'intent-2' },
      ...(profileQuery === undefined
        ? []
        : [{ id: 'step-3', query: profileQuery, categories: [], rationale: '', intent: null }]),
    ],
    provider: 'test',
    intents: [
      { id: 'intent-1', text: 'a sci-fi novel', categories: ['books'], tags: ['sci-fi'] },
      { id: 'intent-2', text: 'gear for hikes', categories: ['outdoor'], tags: ['hiking'] },
    ],
  });
  const byIntent = (candidates: { itemId: string; intent?: string }[]): Record<string, string[]> => {
    const groups: Record<string, string[]> = {};
    for (const candidate of candidates) (groups[candidate.intent ?? 'profile'] ??= []).push(candidate.itemId);
    return groups;
  };

  it('retrieves a pool per intent, each candidate tagged with the intent it serves, profile picks with none', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest(),
      intentPlan('knife'),
      makeProfile({ budget: undefined }),
    );

    expect(byIntent(candidates)).toEqual({
      'intent-1': ['bk-orbit'],
      // The hiking guide is a books item: it stays, after the outdoor matches, at a discount.
      'intent-2': ['od-pack', 'od-boots', 'bk-walks'],
      profile: ['kt-knife'],
    });
    // Interleaved: the best of every pool comes before the second-best of any.
    expect(ids(candidates).slice(0, 3)).toEqual(['bk-orbit', 'od-pack', 'kt-knife']);
  });

  it('writes each offered candidate in full: item, scores, matched words, hint, and the intent it serves', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest(),
      intentPlan('knife'),
      makeProfile({ budget: undefined, interests: { hiking: 0.5 } }),
    );
    const [orbit, pack, knife] = candidates;

    expect(orbit).toEqual({
      itemId: 'bk-orbit',
      title: 'Orbit of Ash',
      category: 'books',
      tags: ['sci-fi'],
      description: '',
      price: 12,
      currency: 'EUR',
      rating: 4,
      relevance: 1,
      affinity: (0.1 * (4 - 3.5)) / 1.5,
      matchedTerms: ['sci', 'fi'],
      hint: 'Strong match for your search (sci, fi); well rated (4.0).',
      intent: 'intent-1',
    });
    expect(Object.keys(orbit ?? {}).at(-1)).toBe('intent');
    expect(pack).toMatchObject({ itemId: 'od-pack', intent: 'intent-2' });
    expect(pack?.hint).toBe(
      'Strong match for your search (hiking); matches your interest in hiking; well rated (4.0).',
    );
    expect(knife).toMatchObject({ itemId: 'kt-knife', matchedTerms: ['knife'] });
    expect(knife !== undefined && 'intent' in knife).toBe(false);
  });

  it('never lets the profile crowd out the items that match an intent', () => {
    const profile = makeProfile({
      interests: { 'sci-fi': 1, guide: 1 },
      preferredCategories: ['books'],
      budget: undefined,
    });
    const candidates = rankCandidates(new Bm25Index(CATALOGUE), taskRequest(), intentPlan('hiking'), profile);

    // The hiking guide is what the profile favours; the outdoor items still lead the hiking intent.
    expect(byIntent(candidates)['intent-2']?.slice(0, 2).sort()).toEqual(['od-boots', 'od-pack']);
    expect(byIntent(candidates).profile).toBeUndefined();
  });

  it("keeps out of every pool what the request's constraints rule out and what the user has; the budget only weighs", () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest({}, { excludeTags: ['boots'] }),
      intentPlan(),
      makeProfile({ history: ['od-tent'], budget: { max: 40, currency: 'EUR' } }),
    );

    // The daypack is over the budget of 40, yet it is the one item that answers the hiking intent.
    expect(byIntent(candidates)).toEqual({ 'intent-1': ['bk-orbit'], 'intent-2': ['od-pack', 'bk-walks'] });
  });

  it('falls back to the words of an intent in any category when its categories hold nothing allowed', () => {
    const candidates = rankCandidates(
      new Bm25Index(CATALOGUE),
      taskRequest({}, { excludeTags: ['boots', 'camping'], excludeItemIds: ['od-pack'] }),
      intentPlan(),
      noTaste,
    );

    expect(byIntent(candidates)).toEqual({ 'intent-1': ['bk-orbit'], 'intent-2': ['bk-walks'] });
  });

  it("searches an intent's categories by name when its words match nothing there", () => {
    const plan = intentPlan();
    plan.steps[1] = { ...plan.steps[1]!, query: 'weekend' };
    const candidates = rankCandidates(new Bm25Index(CATALOGUE), taskRequest(), plan, noTaste);

    expect(byIntent(candidates)['intent-2']?.sort()).toEqual(['od-boots', 'od-pack', 'od-tent']);
  });
});

import { type CatalogueItem } from '@tributary/catalogue';
import { type Draft, type Plan, type PlanIntent, type Recommendation } from '@tributary/contracts';
import { draftOf, recommendation } from '@tributary/testing/agents/drafts';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';
import { taskRequest } from '@tributary/testing/llm/fixtures';
import { describe, expect, it } from 'vitest';
import { HARD_CHECKS, reviewChecks } from './checks';

const ITEMS = [
  makeItem({ id: 'bk-1', title: 'Mountain Walks', category: 'books', tags: ['hiking'], price: 18 }),
  makeItem({ id: 'bk-2', title: 'Orbit of Ash', category: 'books', tags: ['sci-fi'], price: 12 }),
  makeItem({ id: 'bk-3', title: 'The Night Visitor', category: 'books', tags: ['horror'], price: 15 }),
  makeItem({ id: 'bk-4', title: 'Field Notes', category: 'books', tags: ['nature'], price: 20 }),
  makeItem({ id: 'od-1', title: 'Hiking Daypack', category: 'outdoor', tags: ['hiking'], price: 45 }),
  makeItem({ id: 'od-2', title: 'Trail Boots', category: 'outdoor', tags: ['hiking', 'boots'], price: 140 }),
];
const CATALOGUE: ReadonlyMap<string, CatalogueItem> = new Map(ITEMS.map((item) => [item.id, item]));
const PROFILE = makeProfile({ dislikedTags: ['horror'], budget: { max: 100, currency: 'EUR' } });

/** A sound recommendation of a catalogue item; an id the catalogue lacks gets made-up facts. */
const rec = (itemId: string, overrides: Partial<Recommendation> = {}): Recommendation =>
  recommendation(CATALOGUE.get(itemId) ?? makeItem({ id: itemId }), overrides);

function kinds(draft: Draft, request = taskRequest(), profile = PROFILE): string[] {
  return reviewChecks(draft, request, profile, CATALOGUE).map((check) => check.kind);
}

describe('reviewer checks', () => {
  it('finds nothing wrong with a sound, varied draft', () => {
    expect(
      reviewChecks(draftOf(rec('bk-1'), rec('od-1'), rec('bk-2')), taskRequest(), PROFILE, CATALOGUE),
    ).toEqual([]);
  });

  describe('too-few-results', () => {
    it('fires when the draft recommends nothing', () => {
      expect(reviewChecks(draftOf(), taskRequest(), PROFILE, CATALOGUE)).toEqual([
        { kind: 'too-few-results', message: 'The draft recommends nothing.', itemIds: [] },
      ]);
    });

    it('does not fire for a single recommendation', () => {
      expect(kinds(draftOf(rec('bk-1')))).not.toContain('too-few-results');
    });
  });

  describe('duplicate', () => {
    it('fires once for each repeat of an item, naming it', () => {
      const checks = reviewChecks(
        draftOf(rec('bk-1'), rec('od-1'), rec('bk-1'), rec('bk-1')),
        taskRequest(),
        PROFILE,
        CATALOGUE,
      );

      expect(checks.filter((check) => check.kind === 'duplicate')).toEqual([
        { kind: 'duplicate', message: '“Mountain Walks” is recommended twice.', itemIds: ['bk-1'] },
        { kind: 'duplicate', message: '“Mountain Walks” is recommended twice.', itemIds: ['bk-1'] },
      ]);
    });

    it('does not fire for different items with the same title', () => {
      expect(kinds(draftOf(rec('bk-1'), rec('bk-2', { title: 'Mountain Walks' })))).not.toContain(
        'duplicate',
      );
    });
  });

  describe('constraint-violation', () => {
    it('fires for an item that is not in the catalogue', () => {
      expect(reviewChecks(draftOf(rec('bk-404')), taskRequest(), PROFILE, CATALOGUE)).toEqual([
        { kind: 'constraint-violation', message: 'bk-404 is not in the catalogue.', itemIds: ['bk-404'] },
      ]);
    });

    it("fires once per broken rule of the request's constraints, with the reason", () => {
      const request = taskRequest({}, { categories: ['outdoor'], maxPrice: 40, excludeTags: ['hiking'] });

      const checks = reviewChecks(draftOf(rec('bk-1')), request, PROFILE, CATALOGUE);

      expect(checks.map((check) => [check.kind, check.itemIds])).toEqual([
        ['constraint-violation', ['bk-1']],
        ['constraint-violation', ['bk-1']],
      ]);
      expect(checks[0]?.message).toBe('“Mountain Walks”: category "books" is not one of: outdoor.');
      expect(checks[1]?.message).toBe('“Mountain Walks”: tagged "hiking", which is excluded.');
    });

    it('fires for a price outside the bounds and for an excluded item', () => {
      expect(kinds(draftOf(rec('bk-2')), taskRequest({}, { minPrice: 15 }))).toEqual([
        'constraint-violation',
      ]);
      expect(kinds(draftOf(rec('bk-2')), taskRequest({}, { excludeItemIds: ['bk-2'] }))).toEqual([
        'constraint-violation',
      ]);
    });

    it("checks the catalogue's facts, not the draft's copy of them", () => {
      const claimsCheap = rec('od-1', { price: 10, category: 'books' });

      expect(kinds(draftOf(claimsCheap), taskRequest({}, { maxPrice: 40 }))).toEqual([
        'constraint-violation',
      ]);
      expect(kinds(draftOf(claimsCheap), taskRequest({}, { categories: ['books'] }))).toEqual([
        'constraint-violation',
      ]);
    });

    it('does not fire when every constraint is met', () => {
      const request = taskRequest(
        {},
        { categories: ['outdoor'], minPrice: 40, maxPrice: 50, excludeTags: ['boots'] },
      );

      expect(kinds(draftOf(rec('od-1')), request)).toEqual([]);
    });
  });

  describe('over-budget', () => {
    it("fires for an item that costs more than the user's budget, from the catalogue's price", () => {
      const checks = reviewChecks(draftOf(rec('od-2', { price: 90 })), taskRequest(), PROFILE, CATALOGUE);

      expect(checks).toEqual([
        {
          kind: 'over-budget',
          message: '“Trail Boots” costs 140 EUR, over the budget of 100.',
          itemIds: ['od-2'],
        },
      ]);
    });

    it('does not fire at the budget, in another currency, or without a budget', () => {
      const atBudget = makeProfile({ budget: { max: 140, currency: 'EUR' } });
      const inDollars = makeProfile({ budget: { max: 100, currency: 'USD' } });
      const noBudget = makeProfile({ budget: undefined });

      for (const profile of [atBudget, inDollars, noBudget]) {
        expect(kinds(draftOf(rec('od-2')), taskRequest(), profile)).not.toContain('over-budget');
      }
    });
  });

  describe('disliked-tag', () => {
    it('fires for an item carrying a tag the user dislikes, naming the tag', () => {
      const checks = reviewChecks(draftOf(rec('bk-3')), taskRequest(), PROFILE, CATALOGUE);

      expect(checks).toEqual([
        {
          kind: 'disliked-tag',
          message: '“The Night Visitor” is tagged horror, which the user dislikes.',
          itemIds: ['bk-3'],
        },
      ]);
    });

    it('does not fire when the user dislikes none of its tags', () => {
      expect(kinds(draftOf(rec('bk-3')), taskRequest(), makeProfile({ dislikedTags: ['romance'] }))).toEqual(
        [],
      );
    });
  });

  describe('missing-evidence', () => {
    it('fires for an empty reason', () => {
      expect(kinds(draftOf(rec('bk-1', { reason: '  ' })))).toEqual(['missing-evidence']);
    });

    it("fires when the evidence does not cite the item's own id", () => {
      expect(kinds(draftOf(rec('bk-1', { evidence: ['hiking', 'bk-2'] })))).toEqual(['missing-evidence']);
    });

    it("does not fire for a reason backed by the item's id", () => {
      expect(kinds(draftOf(rec('bk-1', { evidence: ['bk-1'] })))).toEqual([]);
    });
  });

  describe('low-diversity', () => {
    it('fires when three or more recommendations are all of one category', () => {
      expect(
        reviewChecks(draftOf(rec('bk-1'), rec('bk-2'), rec('bk-4')), taskRequest(), PROFILE, CATALOGUE),
      ).toEqual([
        {
          kind: 'low-diversity',
          message: 'All 3 recommendations are books; the request allows more variety.',
          itemIds: [],
        },
      ]);
    });

    it('does not fire for two recommendations, for two categories, or when the request asks for one category', () => {
      expect(kinds(draftOf(rec('bk-1'), rec('bk-2')))).toEqual([]);
      expect(kinds(draftOf(rec('bk-1'), rec('bk-2'), rec('od-1')))).toEqual([]);
      expect(
        kinds(draftOf(rec('bk-1'), rec('bk-2'), rec('bk-4')), taskRequest({}, { categories: ['books'] })),
      ).toEqual([]);
    });
  });

  describe('missed-intent', () => {
    const intent = (id: string, text: string, categories: string[]): PlanIntent => ({
      id,
      text,
      categories,
      tags: [],
    });
    const plan = (...intents: PlanIntent[]): Pick<Plan, 'intents'> => ({ intents });
    const check = (draft: Draft, intents: PlanIntent[], maxResults = 3) =>
      reviewChecks(draft, taskRequest({ maxResults }), PROFILE, CATALOGUE, plan(...intents));
    const NOVEL = intent('intent-1', 'a sci-fi novel', ['books']);
    const GEAR = intent('intent-2', 'gear for hikes', ['outdoor']);

    it('fires for each intent no recommendation answers, naming it for the reviser', () => {
      expect(check(draftOf(rec('bk-1'), rec('bk-2')), [NOVEL, GEAR])).toEqual([
        {
          kind: 'missed-intent',
          message: 'Nothing answers “gear for hikes” (outdoor).',
          itemIds: [],
          intent: 'intent-2',
        },
      ]);
    });

    it('needs one item per intent: two intents of one category are not answered by one item', () => {
      const poetry = intent('intent-2', 'a poetry book', ['books']);
      expect(check(draftOf(rec('bk-1'), rec('od-1')), [NOVEL, poetry]).map((c) => c.intent)).toEqual([
        'intent-2',
      ]);
      expect(check(draftOf(rec('bk-1'), rec('bk-2')), [NOVEL, poetry])).toEqual([]);
    });

    it('matches picks to intents so that as many as can be are answered, whatever the order of the picks', () => {
      const trip = intent('intent-1', 'a trip read or gear', ['books', 'outdoor']);
      const hike = intent('intent-2', 'gear for hikes', ['outdoor']);
      expect(check(draftOf(rec('od-1'), rec('bk-1')), [trip, hike])).toEqual([]);
    });

    it('asks for variety only where the request leaves room: not when every pick answers a named intent', () => {
      const guide = intent('intent-1', 'a guidebook for hiking', ['books', 'outdoor']);
      expect(check(draftOf(rec('bk-1'), rec('bk-2'), rec('bk-4')), [guide])).toEqual([]);
    });

    it('asks no more intents answered than the request has slots', () => {
      expect(check(draftOf(rec('bk-1')), [NOVEL, GEAR], 1)).toEqual([]);
      expect(check(draftOf(rec('od-1')), [NOVEL, GEAR], 1)).toEqual([]);
    });

    it('does not fire for an intent that names no category, or for a plan without intents', () => {
      expect(check(draftOf(rec('bk-1'), rec('bk-2')), [NOVEL, intent('intent-2', 'fun', [])])).toEqual([]);
      expect(reviewChecks(draftOf(rec('bk-1'), rec('bk-2')), taskRequest(), PROFILE, CATALOGUE)).toEqual([]);
    });

    it("does not hold the profile budget against a draft's only answer to an intent", () => {
      // Trail Boots cost 140, over the budget of 100; they are the only outdoor pick.
      expect(check(draftOf(rec('bk-1'), rec('od-2')), [NOVEL, GEAR])).toEqual([]);
      expect(check(draftOf(rec('od-1'), rec('od-2')), [NOVEL, GEAR]).map((c) => c.kind)).toEqual([
        'missed-intent',
      ]);
      // Not an answer to any intent: the budget counts.
      expect(check(draftOf(rec('bk-1'), rec('od-2')), [NOVEL]).map((c) => c.kind)).toEqual(['over-budget']);
    });

    it('counts every intent of one category as asking for that category alone: no low-diversity', () => {
      const poetry = intent('intent-2', 'a poetry book', ['books']);
      expect(check(draftOf(rec('bk-1'), rec('bk-2'), rec('bk-4')), [NOVEL, poetry])).toEqual([]);
    });
  });

  it('treats broken constraints, repeats and an empty draft as hard: no best effort may ship them', () => {
    expect([...HARD_CHECKS].sort()).toEqual(['constraint-violation', 'duplicate', 'too-few-results']);
  });
});

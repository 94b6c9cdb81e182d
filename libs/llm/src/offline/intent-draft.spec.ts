import { type Draft, type Plan } from '@tributary/contracts';
import { candidates, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { describe, expect, it } from 'vitest';
import { type Candidate, type DraftInput, type ReviewCheck } from '../port';
import { OfflineLlm } from './offline-llm';

const llm = new OfflineLlm();
const opts = { tenantId: 'acme', taskId: 't-intents' };

/** "Cosy mystery novels and some jazz vinyl": two intents, and a profile step that serves neither. */
const PLAN: Plan = {
  summary: 'Two intents.',
  steps: [
    { id: 'step-1', query: 'cosy mystery novels', categories: ['books'], rationale: '', intent: 'intent-1' },
    { id: 'step-2', query: 'jazz vinyl', categories: ['music'], rationale: '', intent: 'intent-2' },
    { id: 'step-3', query: 'mystery jazz', categories: [], rationale: '', intent: null },
  ],
  provider: 'offline',
  intents: [
    { id: 'intent-1', text: 'cosy mystery novels', categories: ['books'], tags: ['mystery'] },
    { id: 'intent-2', text: 'some jazz vinyl', categories: ['music'], tags: ['jazz', 'vinyl'] },
  ],
};

/** The shared candidates, each retrieved for the intent of its category; the rest came from the profile. */
function intentCandidates(overrides: Record<string, Partial<Candidate>> = {}): Candidate[] {
  const intentOf: Record<string, string> = { books: 'intent-1', music: 'intent-2' };
  return candidates().map((candidate) => {
    const intent = intentOf[candidate.category];
    return { ...candidate, ...(intent === undefined ? {} : { intent }), ...overrides[candidate.itemId] };
  });
}

function input(overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    request: taskRequest({ maxResults: 3 }),
    plan: PLAN,
    candidates: intentCandidates(),
    profile: profile(),
    critique: null,
    round: 1,
    ...overrides,
  };
}

const ids = (draft: Draft): string[] => draft.recommendations.map((rec) => rec.itemId);

/** Round 2 of `input`: the reviewed draft of the given items, and the findings on it. */
async function revise(previousIds: string[], findings: ReviewCheck[], base = input()): Promise<Draft> {
  const first = await llm.draft(base, opts);
  const byId = new Map(
    [
      ...first.recommendations,
      ...(await llm.draft({ ...base, request: taskRequest({ maxResults: 8 }) }, opts)).recommendations,
    ].map((rec) => [rec.itemId, rec]),
  );
  const previous: Draft = {
    ...first,
    recommendations: previousIds.map((id) => {
      const rec = byId.get(id);
      if (rec === undefined) throw new Error(`no recommendation for ${id}`);
      return rec;
    }),
  };
  return llm.draft({ ...base, round: 2, critique: 'see findings', previous, findings }, opts);
}

const finding = (kind: ReviewCheck['kind'], itemIds: string[] = [], intent?: string): ReviewCheck => ({
  kind,
  message: `${kind} finding`,
  itemIds,
  ...(intent === undefined ? {} : { intent }),
});

describe('the offline drafter, intent by intent', () => {
  it('covers every intent before filling with profile favourites, and each reason names the intent it serves', async () => {
    const draft = await llm.draft(input(), opts);

    expect(ids(draft)).toEqual(['bk-1', 'bk-2', 'mu-1']);
    expect(draft.recommendations.find((rec) => rec.itemId === 'mu-1')?.reason).toMatch(
      /^For “some jazz vinyl”: /,
    );
    expect(draft.recommendations.find((rec) => rec.itemId === 'bk-1')?.reason).toMatch(
      /^For “cosy mystery novels”: /,
    );
    expect(draft.summary).toContain('covers 2 of 2 things asked for');
  });

  it('answers an intent with an item in its categories before a stronger match found outside them', async () => {
    const draft = await llm.draft(
      input({
        request: taskRequest({ maxResults: 2 }),
        candidates: intentCandidates({ 'fi-1': { intent: 'intent-2', relevance: 1, affinity: 1 } }),
      }),
      opts,
    );

    expect(ids(draft).sort()).toEqual(['bk-1', 'mu-1']);
  });

  it('never lets the profile push out the only item that matches an intent', async () => {
    // The one jazz record is a weak match the user has little affinity for; books and the film fit the profile far better.
    const draft = await llm.draft(
      input({
        request: taskRequest({ maxResults: 2 }, { maxPrice: 100 }),
        candidates: intentCandidates({
          'mu-1': { relevance: 0.3, affinity: -0.5 },
          'mu-2': { price: 500 },
          'fi-1': { relevance: 1, affinity: 1 },
        }),
      }),
      opts,
    );

    expect(ids(draft).sort()).toEqual(['bk-1', 'mu-1']);
  });

  it('lets strong matches to an intent be over the profile budget, and says so, but no profile pick', async () => {
    // Budget 60: the second jazz record (75) is a strong match to the jazz intent; the film (80) is a profile pick.
    const draft = await llm.draft(
      input({
        request: taskRequest({ maxResults: 4 }),
        candidates: intentCandidates({ 'fi-1': { price: 80, relevance: 1, affinity: 1 } }),
      }),
      opts,
    );

    expect(ids(draft)).toContain('mu-2');
    expect(ids(draft)).not.toContain('fi-1');
    expect(draft.recommendations.find((rec) => rec.itemId === 'mu-2')?.reason).toContain(
      'Above your usual budget of 60.00 EUR: the closest match to what you asked.',
    );
  });

  it('fills with profile picks before weak matches, and names them as beyond what was asked', async () => {
    const draft = await llm.draft(input({ request: taskRequest({ maxResults: 6 }) }), opts);

    const film = draft.recommendations.find((rec) => rec.itemId === 'fi-1');
    expect(film?.reason).toMatch(/^Beyond what you asked, for your profile: /);
  });
});

describe('the offline reviser acts on each finding', () => {
  it('missed-intent: swaps in the best item of the missed intent for the weakest pick of an intent served twice', async () => {
    const draft = await revise(['bk-1', 'bk-2', 'bk-3'], [finding('missed-intent', [], 'intent-2')]);

    expect(ids(draft).sort()).toEqual(['bk-1', 'bk-2', 'mu-1']);
    expect(draft.summary).toContain(
      '“Blue Rain (vinyl)” for “some jazz vinyl” in place of “Murder at the Tea Shop”',
    );
  });

  it('missed-intent: gives up a pick found for the intent outside its categories, which the reviewer does not count', async () => {
    // The film was retrieved for the jazz intent (a strong match outside music): the reviewer finds
    // the jazz intent missed, and the reviser must not keep the film as its answer.
    const base = input({
      request: taskRequest({ maxResults: 2 }),
      candidates: intentCandidates({ 'fi-1': { intent: 'intent-2' } }),
    });
    const draft = await revise(['bk-1', 'fi-1'], [finding('missed-intent', [], 'intent-2')], base);

    expect(ids(draft).sort()).toEqual(['bk-1', 'mu-1']);
    expect(draft.summary).toContain('for “some jazz vinyl” in place of');
  });

  it('low-diversity: replaces a pick of the crowded category by the best item of another requested category', async () => {
    const draft = await revise(['bk-1', 'bk-2', 'bk-3'], [finding('low-diversity')]);

    expect(ids(draft).sort()).toEqual(['bk-1', 'bk-2', 'mu-1']);
    expect(draft.summary).toContain('from music, for variety');
  });

  it.each(['constraint-violation', 'over-budget', 'disliked-tag', 'missing-evidence'] as const)(
    '%s: drops the offender and puts the best remaining item of the same intent in its place',
    async (kind) => {
      const draft = await revise(['bk-1', 'bk-2', 'mu-1'], [finding(kind, ['bk-2'])]);

      expect(ids(draft)).not.toContain('bk-2');
      expect(ids(draft).sort()).toEqual(['bk-1', 'bk-3', 'mu-1']);
      expect(draft.summary).toContain(
        `dropped “Rain on Baker Street” (${kind}); “Murder at the Tea Shop” in its place`,
      );
    },
  );

  it('duplicate: keeps one of the repeated item and fills the freed slot', async () => {
    const draft = await revise(['bk-1', 'bk-1', 'mu-1'], [finding('duplicate', ['bk-1'])]);

    expect(ids(draft)).toHaveLength(3);
    expect(new Set(ids(draft)).size).toBe(3);
    expect(draft.summary).toContain('dropped the repeat of “The Quiet Village Mystery”');
  });

  it('too-few-results: fills the list, every intent first', async () => {
    const draft = await revise([], [finding('too-few-results')]);

    expect(ids(draft)).toEqual(['bk-1', 'bk-2', 'mu-1']);
    expect(draft.summary).toContain('filled 3 more slots');
  });

  it('changes nothing, and says so, when no finding can be acted on', async () => {
    const draft = await revise(['bk-1', 'bk-2', 'mu-1'], []);

    expect(ids(draft)).toEqual(['bk-1', 'bk-2', 'mu-1']);
    expect(draft.summary).toContain('no finding of the review could be acted on');
  });
});

import { describe, expect, it } from 'vitest';
import { LlmAbortedError } from '../errors';
import { type Candidate, type ReviewCheck } from '../port';
import { candidates, plan, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { OfflineLlm, readCritique } from './offline-llm';

const llm = new OfflineLlm();
const opts = { tenantId: 'acme', taskId: 't-offline' };

function draftInput(overrides: Partial<Parameters<OfflineLlm['draft']>[0]> = {}) {
  return {
    request: taskRequest(),
    plan: plan(),
    candidates: candidates(),
    profile: profile(),
    critique: null,
    round: 1,
    ...overrides,
  };
}

const ids = (draft: { recommendations: { itemId: string }[] }): string[] =>
  draft.recommendations.map((rec) => rec.itemId);

describe('OfflineLlm.plan', () => {
  it('plans one search step per intent, each naming its intent, then a profile step that serves none', async () => {
    const result = await llm.plan({ request: taskRequest(), profile: profile() }, opts);

    expect(result.provider).toBe('offline');
    expect(result.intents).toEqual([
      { id: 'intent-1', text: 'Cosy mystery novels', categories: ['books'], tags: ['mystery'] },
      {
        id: 'intent-2',
        text: 'some jazz vinyl for rainy weekends',
        categories: ['music'],
        tags: ['jazz', 'vinyl'],
      },
    ]);
    expect(result.steps.map((step) => [step.query, step.categories, step.intent])).toEqual([
      ['cosy mystery novels', ['books'], 'intent-1'],
      ['jazz vinyl rainy weekends', ['music'], 'intent-2'],
      // Hiking (0.2) is weaker than half of mystery (0.9): the profile step leaves it out.
      ['mystery jazz', ['books', 'music'], null],
    ]);
    expect(result.steps[0]?.rationale).toContain('Intent 1 of 2, “Cosy mystery novels”');
    expect(result.steps[1]?.rationale).toContain('music (for "jazz", "vinyl")');
    expect(result.steps[2]?.rationale).toContain('Personalise for Ada');
    expect(result.summary).toContain('2 intents');
    expect(result.summary).toContain('avoiding horror');
  });

  it('adds the tags an intent implies to its search', async () => {
    const result = await llm.plan(
      {
        request: taskRequest({ query: 'a gripping science-fiction novel and gear for weekend hikes' }),
        profile: profile({ interests: {}, preferredCategories: [] }),
      },
      opts,
    );

    expect(result.steps.map((step) => [step.categories, step.intent])).toEqual([
      [['books'], 'intent-1'],
      [['outdoor'], 'intent-2'],
    ]);
    expect(result.steps[0]?.query).toContain('sci-fi');
  });

  it('honours constraints.categories in every step and says what it left out', async () => {
    const result = await llm.plan(
      { request: taskRequest({}, { categories: ['books'] }), profile: profile() },
      opts,
    );

    expect(result.steps.length).toBeGreaterThan(0);
    for (const step of result.steps) expect(step.categories).toEqual(['books']);
    expect(result.steps[0]?.rationale).toContain('music left out: the request allows only books');
  });

  it('maps phrases and plurals through the keyword table', async () => {
    const result = await llm.plan(
      {
        request: taskRequest({ query: 'Board games and hiking boots for a camping trip' }),
        profile: profile({ interests: {}, preferredCategories: [] }),
      },
      opts,
    );

    expect(result.steps.map((step) => step.categories)).toEqual([
      ['board-games'],
      ['outdoor', 'travel-gear'],
    ]);
  });

  it('still plans a search when the request has no keywords and the profile is empty', async () => {
    const result = await llm.plan(
      {
        request: taskRequest({ query: 'something nice please' }),
        profile: profile({ interests: {}, preferredCategories: [] }),
      },
      opts,
    );

    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]?.query).not.toBe('');
  });

  it('is deterministic and streams one delta per step plus the summary', async () => {
    const tokens: string[] = [];
    const input = { request: taskRequest(), profile: profile() };

    const first = await llm.plan(input, { ...opts, onToken: (delta) => tokens.push(delta) });
    const second = await new OfflineLlm().plan(input, opts);

    expect(second).toEqual(first);
    expect(tokens).toHaveLength(first.steps.length + 1);
    expect(tokens[0]).toContain('Step 1: search "cosy mystery novels"');
  });
});

describe('OfflineLlm.draft', () => {
  it('ranks by relevance and affinity, caps a category at half the list and writes reasons from hints and matched terms', async () => {
    const draft = await llm.draft(draftInput(), opts);

    expect(draft.provider).toBe('offline');
    expect(ids(draft)).toEqual(['bk-1', 'bk-2', 'mu-1', 'fi-1']);
    expect(draft.recommendations[0]).toMatchObject({
      title: 'The Quiet Village Mystery',
      category: 'books',
      price: 20,
      currency: 'EUR',
      score: 0.9025,
      evidence: ['bk-1', 'mystery', 'cosy'],
    });
    expect(draft.recommendations[0]?.reason).toBe(
      'A cosy village whodunnit. Matches "mystery", "cosy" from your request. Fits your interest in mystery. At 20.00 EUR, within your 60.00 EUR limit.',
    );
  });

  it('is deterministic, whatever the order of the candidates', async () => {
    const first = await llm.draft(draftInput(), opts);
    const again = await llm.draft(draftInput({ candidates: [...candidates()].reverse() }), opts);

    expect(again).toEqual(first);
  });

  it('honours excluded ids and tags, allowed categories, price limits and the profile budget', async () => {
    const request = taskRequest(
      { maxResults: 8 },
      {
        excludeItemIds: ['bk-1'],
        excludeTags: ['film-noir'],
        categories: ['books', 'music', 'films'],
        minPrice: 13,
      },
    );

    const draft = await llm.draft(draftInput({ request }), opts);

    // bk-1 excluded, fi-1 tagged film-noir, ki-1 outside the categories, mu-2 over the 60 EUR budget; nothing under 13.
    expect(ids(draft).sort()).toEqual(['bk-2', 'bk-3', 'bk-4', 'mu-1']);
  });

  it('ranks an item with a disliked tag lower', async () => {
    const draft = await llm.draft(draftInput({ request: taskRequest({ maxResults: 8 }) }), opts);

    // bk-4 (tagged horror) scores 0.72 on relevance and affinity, ahead of mu-1 (0.595); halved, it falls behind.
    expect(draft.recommendations.find((rec) => rec.itemId === 'bk-4')?.score).toBe(0.36);
    expect(ids(draft).indexOf('bk-4')).toBeGreaterThan(ids(draft).indexOf('mu-1'));
  });

  it('never returns more than maxResults', async () => {
    const draft = await llm.draft(draftInput({ request: taskRequest({ maxResults: 2 }) }), opts);

    expect(draft.recommendations).toHaveLength(2);
  });

  it('changes course on a diversity critique: one item per category first', async () => {
    const books: Candidate[] = [1, 2, 3, 4, 5].map((n) => ({
      ...candidates()[0]!,
      itemId: `bk-x${n}`,
      title: `Mystery ${n}`,
      relevance: 1 - n / 100,
    }));
    const input = draftInput({
      candidates: [...books, ...candidates().slice(4)],
      request: taskRequest({ maxResults: 4 }),
    });
    const before = await llm.draft(input, opts);

    const after = await llm.draft(
      { ...input, critique: '[low-diversity] Two of four items are books.', round: 2 },
      opts,
    );

    const categories = (draft: typeof before): number =>
      new Set(draft.recommendations.map((rec) => rec.category)).size;
    expect(categories(after)).toBeGreaterThan(categories(before));
    expect(after.summary).toContain('Round 2, revised after review');
    expect(after.summary).toContain('one item per category first');
  });

  it('drops items a constraint finding names, and items with disliked tags', async () => {
    const input = draftInput({ request: taskRequest({ maxResults: 8 }) });

    const draft = await llm.draft(
      { ...input, critique: '- [constraint-violation] Not a mystery at all (items: fi-1)', round: 2 },
      opts,
    );

    expect(ids(draft)).not.toContain('fi-1');
    expect(ids(draft)).not.toContain('bk-4');
    expect(ids(draft)).toContain('bk-1');
  });

  it('streams the summary and then one delta per recommendation', async () => {
    const tokens: string[] = [];

    const draft = await llm.draft(draftInput(), { ...opts, onToken: (delta) => tokens.push(delta) });

    expect(tokens).toEqual([
      `${draft.summary}\n`,
      ...draft.recommendations.map((rec) => `${rec.title}: ${rec.reason}\n`),
    ]);
  });

  it('rejects with LlmAbortedError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    await expect(llm.draft(draftInput(), { ...opts, signal: controller.signal })).rejects.toBeInstanceOf(
      LlmAbortedError,
    );
  });
});

describe('OfflineLlm.review', () => {
  it('approves a clean draft whose score reaches the threshold', async () => {
    const draft = await llm.draft(draftInput(), opts);

    const judgement = await llm.review(
      { request: taskRequest(), profile: profile(), draft, round: 1, checks: [] },
      opts,
    );

    expect(judgement.verdict).toBe('approved');
    expect(judgement.score).toBeGreaterThanOrEqual(0.7);
    expect(judgement.issues).toEqual([]);
    expect(judgement.critique).toMatch(/^Approved in round 1: 4 recommendations across 3 categories/);
  });

  it('sends a draft with rule checks back, listing every check in the critique and the issues', async () => {
    const draft = await llm.draft(draftInput(), opts);
    const checks: ReviewCheck[] = [
      { kind: 'low-diversity', message: 'Half of the items are books.', itemIds: ['bk-1', 'bk-2'] },
      { kind: 'missing-evidence', message: 'No matched request term.', itemIds: ['fi-1'] },
    ];

    const judgement = await llm.review(
      { request: taskRequest(), profile: profile(), draft, round: 1, checks },
      opts,
    );

    expect(judgement.verdict).toBe('revise');
    expect(judgement.issues.slice(0, 2)).toEqual([
      '[low-diversity] Half of the items are books. (items: bk-1, bk-2)',
      '[missing-evidence] No matched request term. (items: fi-1)',
    ]);
    expect(judgement.critique).toContain('[low-diversity] Half of the items are books.');
    expect(judgement.critique).toContain('[missing-evidence] No matched request term.');
  });

  it('sends back a draft without rule checks whose score is under the threshold', async () => {
    const draft = await llm.draft(draftInput(), opts);
    const strict = new OfflineLlm({ approveThreshold: 0.95 });

    const judgement = await strict.review(
      { request: taskRequest(), profile: profile(), draft, round: 1, checks: [] },
      opts,
    );

    expect(judgement.verdict).toBe('revise');
  });

  it('scores an empty draft 0', async () => {
    const draft = { summary: 'nothing', recommendations: [], provider: 'offline' };

    const judgement = await llm.review(
      { request: taskRequest(), profile: profile(), draft, round: 1, checks: [] },
      opts,
    );

    expect(judgement).toMatchObject({
      verdict: 'revise',
      score: 0,
      issues: ['The draft has no recommendations.'],
    });
  });

  it('closes the loop: the critique of a review steers the next draft until it is approved', async () => {
    const first = await llm.draft(draftInput(), opts);
    const checks: ReviewCheck[] = [
      { kind: 'constraint-violation', message: 'A film was not asked for.', itemIds: ['fi-1'] },
    ];
    const sentBack = await llm.review(
      { request: taskRequest(), profile: profile(), draft: first, round: 1, checks },
      opts,
    );

    const second = await llm.draft(draftInput({ critique: sentBack.critique, round: 2 }), opts);
    const approved = await llm.review(
      { request: taskRequest(), profile: profile(), draft: second, round: 2, checks: [] },
      opts,
    );

    expect(ids(second)).not.toContain('fi-1');
    expect(ids(second)).toHaveLength(4);
    expect(approved.verdict).toBe('approved');
  });
});

describe('readCritique', () => {
  it('does not drop items named in duplicate or diversity findings', () => {
    const course = readCritique(
      '- [duplicate] Same book twice (items: bk-1, bk-2)\n- [low-diversity] All books (items: bk-3)',
      candidates(),
    );

    expect([...course.drop]).toEqual([]);
    expect(course.diversity).toBe(true);
  });

  it('ranks by relevance alone when it recognises nothing in the critique', () => {
    const course = readCritique('Hmm, try again.', candidates());

    expect(course.relevance).toBe(true);
    expect(course.notes).toEqual(['no specific finding recognised, so ranked by request relevance alone']);
  });
});

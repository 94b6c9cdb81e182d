import { Logger } from '@nestjs/common';
import { AgentStep, CancellationRegistry, ProfileCache } from '@tributary/agent';
import { type CatalogueStore, type ProfileStore } from '@tributary/catalogue';
import { loadConfig } from '@tributary/config';
import { type Draft, type Plan, TOPICS } from '@tributary/contracts';
import { type ReviewJudgement } from '@tributary/llm';
import { delivery, sampleValue } from '@tributary/testing/agents/deliveries';
import { draftOf, recommendation } from '@tributary/testing/agents/drafts';
import { MemoryCancellationStore } from '@tributary/testing/agents/memory-cancellation-store';
import { MemoryReviewRounds } from '@tributary/testing/agents/memory-review-rounds';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { standIn } from '@tributary/testing/agents/stand-in';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';
import { ScriptedLlm } from '@tributary/testing/llm/scripted-llm';
import { taskRequest } from '@tributary/testing/llm/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogueItems } from './catalogue-items';
import { type ReviewRounds } from './review-rounds.repository';
import { ReviewDraftUseCase } from './review-draft.usecase';

const MAX_ROUNDS = 3;
const ITEMS = [
  makeItem({ id: 'bk-1', title: 'Mountain Walks', category: 'books', tags: ['hiking'] }),
  makeItem({ id: 'od-1', title: 'Hiking Daypack', category: 'outdoor', tags: ['hiking'] }),
  makeItem({ id: 'mu-1', title: 'Trail Songs', category: 'music', tags: ['folk'] }),
];
const [BOOK, PACK, ALBUM] = ITEMS.map((item) => recommendation(item));
const request = taskRequest({ userId: 'u-ada' });
/** A plan that names no intents: these tests are about rounds, not about what was asked. */
const PLAN: Plan = { summary: 'Search.', steps: [], provider: 'test', intents: [] };

/** A draft's recommendations with reasons of its own, so no two named drafts are the same draft. */
const named = (draft: Draft, name: string): Draft => ({
  ...draft,
  summary: name,
  recommendations: draft.recommendations.map((rec) => ({ ...rec, reason: `${rec.reason} (${name})` })),
});
/** Drafts told apart by their summaries and reasons; each recommends real catalogue items and breaks no rule. */
const sound = (name: string): Draft => named(draftOf(BOOK!, PACK!, ALBUM!), name);
/** A draft that breaks a hard rule: it recommends an item the catalogue does not have. */
const broken = (name: string): Draft =>
  named(draftOf(BOOK!, recommendation(makeItem({ id: 'xx-404' }))), name);

const judgement = (verdict: ReviewJudgement['verdict'], score: number): ReviewJudgement => ({
  verdict,
  score,
  critique: `${verdict} at ${score}`,
  issues: verdict === 'revise' ? [`weak at ${score}`] : [],
});

function reviewer(judgements: ReviewJudgement[]) {
  const recorder = new RecordingProducer();
  const llm = new ScriptedLlm({ review: judgements });
  const catalogueStore = standIn<CatalogueStore>({
    all: () => Promise.resolve(ITEMS),
    byIds: (_tenant, ids) => Promise.resolve(ITEMS.filter((item) => ids.includes(item.id))),
  });
  const rounds = new MemoryReviewRounds();
  const useCase = new ReviewDraftUseCase(
    loadConfig('reviewer-agent', { TRIBUTARY_REVIEW_MAX_ROUNDS: String(MAX_ROUNDS) }),
    new AgentStep(recorder.producer, new CancellationRegistry(new MemoryCancellationStore()), 4, {
      deadlineGraceMs: 30_000,
    }),
    new ProfileCache(
      standIn<ProfileStore>({
        get: (_tenant, userId) => Promise.resolve(makeProfile({ userId, budget: undefined })),
      }),
    ),
    new CatalogueItems(catalogueStore),
    standIn<ReviewRounds>(rounds),
    llm,
    recorder.producer,
  );
  /** Reviews the drafts as rounds 1, 2, … of one task, in order. */
  const review = async (...drafts: Draft[]): Promise<void> => {
    await reviewFor(PLAN, ...drafts);
  };
  /** The same, for a task with the given plan. */
  const reviewFor = async (plan: Plan, ...drafts: Draft[]): Promise<void> => {
    for (const [i, draft] of drafts.entries()) {
      const value = sampleValue(TOPICS.researchCompleted, {
        taskId: 'tsk-1',
        tenantId: 'acme',
        request,
        plan,
        round: i + 1,
        draft,
      });
      await useCase.execute(delivery(TOPICS.researchCompleted, value));
    }
  };
  return { recorder, llm, review, reviewFor, rounds };
}

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('reviewing a draft', () => {
  it('approves a draft the model approves: review.completed, then recommendation.ready, not as best effort', async () => {
    const { recorder, review } = reviewer([judgement('approved', 0.9)]);

    await review(sound('first'));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      { verdict: 'approved', round: 1, score: 0.9 },
    ]);
    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([
      {
        taskId: 'tsk-1',
        userId: 'u-ada',
        rounds: 1,
        bestEffort: false,
        summary: 'first',
        recommendations: sound('first').recommendations,
      },
    ]);
  });

  it('sends a weak draft back for revision while rounds remain, with the critique and issues', async () => {
    const { recorder, review } = reviewer([judgement('revise', 0.5), judgement('revise', 0.6)]);

    await review(sound('first'), sound('second'));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      { verdict: 'revise', round: 1, critique: 'revise at 0.5', issues: ['weak at 0.5'] },
      { verdict: 'revise', round: 2 },
    ]);
    expect(recorder.values(TOPICS.recommendationReady)).toEqual([]);
  });

  it('records a round only when it is sent back for revision (only later rounds read records)', async () => {
    const approved = reviewer([judgement('revise', 0.5), judgement('approved', 0.9)]);
    await approved.review(sound('first'), sound('second'));
    expect((await approved.rounds.rounds('acme', 'tsk-1', 2)).map((r) => r.round)).toEqual([1]);

    const ranOut = reviewer(Array.from({ length: MAX_ROUNDS }, (_, i) => judgement('revise', 0.5 + i / 100)));
    await ranOut.review(...Array.from({ length: MAX_ROUNDS }, (_, i) => sound(`draft ${i + 1}`)));
    expect((await ranOut.rounds.rounds('acme', 'tsk-1', MAX_ROUNDS)).map((r) => r.round)).toEqual(
      Array.from({ length: MAX_ROUNDS - 1 }, (_, i) => i + 1),
    );
    expect(ranOut.recorder.values(TOPICS.recommendationReady)).toMatchObject([
      { bestEffort: true, rounds: MAX_ROUNDS, summary: `draft ${MAX_ROUNDS}` },
    ]);
  });

  it('gives the model the rule findings with the draft', async () => {
    const { llm, review } = reviewer([judgement('revise', 0.5)]);

    await review(broken('first'));

    expect(llm.inputs.review[0]?.checks).toMatchObject([
      { kind: 'constraint-violation', itemIds: ['xx-404'] },
    ]);
  });

  it('at the round limit, approves the best-scoring draft so far as a best effort', async () => {
    const { recorder, review } = reviewer([
      judgement('revise', 0.6),
      judgement('revise', 0.65),
      judgement('revise', 0.4),
    ]);

    await review(sound('first'), sound('second'), sound('third'));

    const [ready] = recorder.values(TOPICS.recommendationReady);
    expect(ready).toMatchObject({ bestEffort: true, rounds: MAX_ROUNDS, summary: 'second' });
    expect(recorder.values(TOPICS.reviewCompleted).at(-1)).toMatchObject({
      verdict: 'approved',
      round: MAX_ROUNDS,
      draft: { summary: 'second' },
      critique:
        `Best effort in round ${MAX_ROUNDS}, round limit reached (round 2 scored 0.65). ` +
        'Since round 2: the same items; score 0.65 → 0.40 (down).\nrevise at 0.4',
    });
  });

  it('prefers the later of two drafts that scored the same', async () => {
    const { recorder, review } = reviewer([judgement('revise', 0.6), judgement('revise', 0.6)]);

    await review(sound('first'), sound('second'));

    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([
      { bestEffort: true, summary: 'second' },
    ]);
  });

  it('never ships a draft that breaks a hard rule as a best effort, however well it scored', async () => {
    const { recorder, review } = reviewer([
      judgement('revise', 0.5),
      judgement('revise', 0.95),
      judgement('revise', 0.2),
    ]);

    await review(sound('first'), broken('second'), sound('third'));

    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([
      { bestEffort: true, summary: 'first' },
    ]);
  });

  it("fails the task when no round produced an acceptable draft, with the rule findings (not the model's words) as the reason", async () => {
    const { recorder, review } = reviewer([
      judgement('revise', 0.5),
      judgement('revise', 0.7),
      judgement('revise', 0.9),
    ]);

    await review(broken('first'), broken('second'), draftOf());

    expect(recorder.values(TOPICS.recommendationReady)).toEqual([]);
    expect(recorder.values(TOPICS.taskFailed)).toMatchObject([
      {
        taskId: 'tsk-1',
        stage: 'reviewing',
        code: 'no-acceptable-draft',
        reason: expect.stringMatching(
          new RegExp(`^No draft met the request's constraints after ${MAX_ROUNDS} review rounds\\.`),
        ) as string,
      },
    ]);
    expect(recorder.values(TOPICS.taskFailed)[0]?.reason).not.toContain('weak at 0.9');
  });
});

describe('no wasted rounds', () => {
  const intents = (...categories: string[]): Plan => ({
    ...PLAN,
    intents: categories.map((category, i) => ({
      id: `intent-${i + 1}`,
      text: `something from ${category}`,
      categories: [category],
      tags: [],
    })),
  });
  const offline = (draft: Draft): Draft => ({ ...draft, provider: 'offline' });

  it('sends back a draft that misses an intent the catalogue can answer, with the finding for the reviser', async () => {
    const { recorder, reviewFor } = reviewer([judgement('revise', 0.6)]);

    await reviewFor(intents('books', 'outdoor'), offline(draftOf(BOOK!, ALBUM!)));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      {
        verdict: 'revise',
        findings: [
          {
            kind: 'missed-intent',
            message: 'Nothing answers “something from outdoor” (outdoor).',
            itemIds: [],
            intent: 'intent-2',
          },
        ],
      },
    ]);
  });

  it('approves the best draft as a best effort at once when nothing the catalogue holds answers the findings', async () => {
    const { recorder, reviewFor } = reviewer([judgement('revise', 0.6)]);

    await reviewFor(intents('books', 'garden'), offline(draftOf(BOOK!, ALBUM!)));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      {
        verdict: 'approved',
        round: 1,
        critique: expect.stringContaining('no finding the catalogue can answer') as string,
      },
    ]);
    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([{ bestEffort: true, rounds: 1 }]);
  });

  it('does not send an offline draft back for a low score alone: the offline reviser acts on findings', async () => {
    const { recorder, review } = reviewer([judgement('revise', 0.6)]);

    await review(offline(sound('first')));

    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([{ bestEffort: true, rounds: 1 }]);
  });

  it('does not send back again a revision that did not raise the score', async () => {
    const { recorder, review } = reviewer([judgement('revise', 0.6), judgement('revise', 0.55)]);

    await review(sound('first'), sound('second'));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      { verdict: 'revise', round: 1 },
      {
        verdict: 'approved',
        round: 2,
        critique: expect.stringContaining('the revision did not raise the score') as string,
      },
    ]);
    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([
      { bestEffort: true, rounds: 2, summary: 'first' },
    ]);
  });

  it('does not send back a draft the revision left unchanged', async () => {
    const { recorder, review } = reviewer([judgement('revise', 0.6)]);

    await review(sound('first'), sound('first'));

    expect(recorder.values(TOPICS.reviewCompleted)).toMatchObject([
      { verdict: 'revise', round: 1 },
      {
        verdict: 'approved',
        round: 2,
        critique: expect.stringContaining('the revision changed nothing') as string,
      },
    ]);
    expect(recorder.values(TOPICS.recommendationReady)).toMatchObject([{ bestEffort: true, rounds: 2 }]);
  });

  it('says in a later round what the revision changed and how the score moved', async () => {
    const { recorder, reviewFor } = reviewer([judgement('revise', 0.6), judgement('approved', 0.9)]);

    await reviewFor(
      intents('books', 'outdoor'),
      offline(draftOf(BOOK!, ALBUM!)),
      offline(draftOf(BOOK!, PACK!)),
    );

    const [, second] = recorder.values(TOPICS.reviewCompleted);
    expect(second).toMatchObject({ verdict: 'approved', round: 2, score: 0.9 });
    expect(second?.critique).toMatch(
      /^Since round 1: added “Hiking Daypack”; removed “Trail Songs”; score 0\.60 → 0\.90 \(up\)\./,
    );
  });
});

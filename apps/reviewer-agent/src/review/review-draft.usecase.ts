import { Inject, Injectable } from '@nestjs/common';
import { AGENT_CONFIG, AgentStep, ProfileCache, profileView } from '@tributary/agent';
import { type TributaryConfig } from '@tributary/config';
import { type Draft, TOPICS } from '@tributary/contracts';
import { type Delivery, EventProducer, PermanentError } from '@tributary/kafka';
import { LLM_PORT, type LlmPort, type ReviewJudgement } from '@tributary/llm';
import { CatalogueItems } from './catalogue-items';
import { HARD_CHECKS, reviewChecks } from './checks';
import { type ReviewRound, ReviewRounds } from './review-rounds.repository';

type Cause = Delivery<typeof TOPICS.researchCompleted>;

/**
 * research.completed → review.completed, and recommendation.ready when approved.
 * Rule checks first (constraints, budget, dislikes, duplicates, evidence, diversity), then the LLM's
 * judgement. A weak draft goes back for revision; when the round limit is reached the best
 * acceptable draft so far is approved with the bestEffort flag, or the task fails with the reason.
 */
@Injectable()
export class ReviewDraftUseCase {
  constructor(
    @Inject(AGENT_CONFIG) private readonly config: TributaryConfig,
    @Inject(AgentStep) private readonly step: AgentStep,
    @Inject(ProfileCache) private readonly profiles: ProfileCache,
    @Inject(CatalogueItems) private readonly catalogue: CatalogueItems,
    @Inject(ReviewRounds) private readonly rounds: ReviewRounds,
    @Inject(LLM_PORT) private readonly llm: LlmPort,
    @Inject(EventProducer) private readonly producer: EventProducer,
  ) {}

  execute(delivery: Cause): Promise<void> {
    const { taskId, tenantId, request, draft, round } = delivery.value;
    return this.step.run(delivery, 'reviewing', async ({ signal, progress, journal, settle }) => {
      await progress.report(`Reviewing draft round ${round}`);
      const profile = await this.profiles.get(tenantId, request.userId);
      if (!profile) throw new PermanentError(`user ${request.userId} has no profile`);
      const items = await this.catalogue.byIds(
        tenantId,
        draft.recommendations.map((r) => r.itemId),
      );
      const checks = reviewChecks(draft, request, profile, items);
      const judgement = await this.llm.review(
        { request, profile: profileView(profile), draft, round, checks },
        { taskId, signal, onToken: progress.token, journal },
      );
      const acceptable = !checks.some((check) => HARD_CHECKS.has(check.kind));
      const reviewed: ReviewRound = { tenantId, taskId, round, score: judgement.score, acceptable, draft };
      journal.pending(this.rounds.record(reviewed));

      if (judgement.verdict === 'approved') {
        await progress.report(`Approved (score ${judgement.score.toFixed(2)})`);
        await settle();
        return this.approve(delivery, judgement, draft, round, false);
      }
      if (round < this.config.review.maxRounds) {
        await progress.report(`Sent back for revision: ${judgement.issues.length} issue(s)`);
        await settle();
        await this.producer.emit(
          TOPICS.reviewCompleted,
          { ...this.reviewed(delivery, judgement, draft), verdict: 'revise' },
          { causedBy: delivery.envelope },
        );
        return;
      }
      const best = [...(await this.rounds.rounds(tenantId, taskId, round - 1)), reviewed]
        .filter((r) => r.acceptable)
        .sort((a, b) => b.score - a.score || b.round - a.round)[0];
      if (!best) {
        throw new PermanentError(
          `no acceptable draft after ${round} review rounds: ${judgement.issues.slice(0, 3).join('; ') || judgement.critique}`,
        );
      }
      await progress.report(
        `Round limit reached: approving the best draft (round ${best.round}) as best effort`,
      );
      await settle();
      return this.approve(
        delivery,
        {
          ...judgement,
          critique: `Best effort after ${round} rounds (round ${best.round} scored ${best.score.toFixed(2)}). ${judgement.critique}`,
        },
        best.draft,
        round,
        true,
      );
    });
  }

  private reviewed(delivery: Cause, judgement: ReviewJudgement, draft: Draft) {
    const { taskId, tenantId, request, plan, round } = delivery.value;
    return {
      taskId,
      tenantId,
      request,
      plan,
      round,
      critique: judgement.critique,
      issues: judgement.issues,
      score: judgement.score,
      draft,
    };
  }

  private async approve(
    delivery: Cause,
    judgement: ReviewJudgement,
    draft: Draft,
    rounds: number,
    bestEffort: boolean,
  ): Promise<void> {
    const { taskId, tenantId, request } = delivery.value;
    await this.producer.emit(
      TOPICS.reviewCompleted,
      { ...this.reviewed(delivery, judgement, draft), verdict: 'approved' },
      { causedBy: delivery.envelope },
    );
    await this.producer.emit(
      TOPICS.recommendationReady,
      {
        taskId,
        tenantId,
        userId: request.userId,
        query: request.query,
        recommendations: draft.recommendations,
        summary: draft.summary,
        rounds,
        bestEffort,
        provider: draft.provider,
        completedAt: Date.now(),
      },
      { causedBy: delivery.envelope },
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import {
  AGENT_CONFIG,
  AgentStep,
  ProfileCache,
  type StepJournal,
  profileView,
  TaskFailure,
  unknownUser,
} from '@tributary/agent';
import { type TributaryConfig } from '@tributary/config';
import { type Draft, TOPICS } from '@tributary/contracts';
import { type Delivery, EventProducer } from '@tributary/kafka';
import {
  LLM_PORT,
  type LlmPort,
  OFFLINE_PROVIDER,
  type ReviewCheck,
  type ReviewJudgement,
  withThreshold,
} from '@tributary/llm';
import { actionableFindings, changesSince, sameDraft } from './actionable';
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
    const { taskId, tenantId, request, plan, draft, round } = delivery.value;
    return this.step.run(delivery, 'reviewing', async ({ signal, progress, journal, settle }) => {
      await progress.report(`Reviewing draft round ${round}`);
      const profile = await this.profiles.get(tenantId, request.userId);
      if (!profile) throw unknownUser(request.userId);
      const items = await this.catalogue.byIds(
        tenantId,
        draft.recommendations.map((r) => r.itemId),
      );
      const checks = reviewChecks(draft, request, profile, items, plan);
      // This reviewer's threshold decides, also for a judgement the call journal answers (a replay
      // with a changed threshold re-decides the recorded scores).
      const judged = withThreshold(
        await this.llm.review(
          { request, profile: profileView(profile), draft, round, checks },
          { taskId, tenantId, signal, onToken: progress.token, journal },
        ),
        checks,
        this.config.review.approveThreshold,
      );
      const earlier = round > 1 ? await this.rounds.rounds(tenantId, taskId, round - 1) : [];
      const last = earlier.find((r) => r.round === round - 1);
      // The score and critique of a later round say what the revision changed.
      const judgement: ReviewJudgement = last
        ? { ...judged, critique: `${changesSince(last, draft, judged.score)}\n${judged.critique}` }
        : judged;
      const acceptable = !checks.some((check) => HARD_CHECKS.has(check.kind));
      const reviewed: ReviewRound = { tenantId, taskId, round, score: judgement.score, acceptable, draft };

      if (judgement.verdict === 'approved') {
        await progress.report(`Approved (score ${judgement.score.toFixed(2)})`);
        await settle();
        return this.approve(delivery, judgement, checks, draft, round, false, journal);
      }
      const stop = await this.reasonToStop(delivery, checks, last, judgement.score);
      if (stop === null) {
        // Only a later round reads a round's record (its score, and the best draft when rounds run
        // out), and there is one only after a revision: an approved or final round is not recorded.
        journal.pending(this.rounds.record(reviewed));
        await progress.report(`Sent back for revision: ${judgement.issues.length} issue(s)`);
        await settle();
        await this.producer.emit(
          TOPICS.reviewCompleted,
          { ...this.reviewed(delivery, judgement, checks, draft), verdict: 'revise' },
          { causedBy: delivery.envelope, headers: journal.headers() },
        );
        return;
      }
      const best = [...earlier, reviewed]
        .filter((r) => r.acceptable)
        .sort((a, b) => b.score - a.score || b.round - a.round)[0];
      if (!best) {
        // The rule findings are sentences of ours; the model's critique stays in the logs.
        const findings = checks
          .filter((check) => HARD_CHECKS.has(check.kind))
          .slice(0, 3)
          .map((check) => check.message);
        throw new TaskFailure(
          'no-acceptable-draft',
          [
            `No draft met the request's constraints after ${round} review round${round === 1 ? '' : 's'}.`,
            ...findings,
          ].join(' '),
          {
            detail: `no acceptable draft after ${round} review rounds: ${judgement.issues.slice(0, 3).join('; ') || judgement.critique}`,
          },
        );
      }
      await progress.report(`${stop}: approving the best draft (round ${best.round}) as best effort`);
      await settle();
      return this.approve(
        delivery,
        {
          ...judgement,
          critique: `Best effort in round ${round}, ${stop} (round ${best.round} scored ${best.score.toFixed(2)}). ${judgement.critique}`,
        },
        checks,
        best.draft,
        round,
        true,
        journal,
      );
    });
  }

  /**
   * Why a draft the judge wants revised is not sent back, or null when it is. No round is wasted:
   * a revision must be able to change something, and a revision that did not raise the score is
   * not followed by another. The offline reviser acts on the rule findings
   * alone, so a finding must name an item to drop or the catalogue must hold a better item; a model
   * may redraft from the critique, unless its last revision changed nothing.
   */
  private async reasonToStop(
    delivery: Cause,
    checks: readonly ReviewCheck[],
    last: ReviewRound | undefined,
    score: number,
  ): Promise<string | null> {
    const { tenantId, request, plan, draft, round } = delivery.value;
    if (round >= this.config.review.maxRounds) return 'round limit reached';
    if (last !== undefined && sameDraft(last.draft, draft)) return 'the revision changed nothing';
    if (last !== undefined && score <= last.score) return 'the revision did not raise the score';
    if (checks.length === 0) return draft.provider === OFFLINE_PROVIDER ? 'no finding to act on' : null;
    const profile = await this.profiles.get(tenantId, request.userId);
    if (!profile) throw unknownUser(request.userId);
    const catalogue = await this.catalogue.all(tenantId);
    const actionable = actionableFindings(checks, draft, request, profile, catalogue, plan);
    return actionable.length > 0 ? null : 'no finding the catalogue can answer';
  }

  private reviewed(
    delivery: Cause,
    judgement: ReviewJudgement,
    checks: readonly ReviewCheck[],
    draft: Draft,
  ) {
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
      findings: checks.map((check) => ({
        kind: check.kind,
        message: check.message,
        itemIds: [...check.itemIds],
        intent: check.intent ?? null,
      })),
    };
  }

  private async approve(
    delivery: Cause,
    judgement: ReviewJudgement,
    checks: readonly ReviewCheck[],
    draft: Draft,
    rounds: number,
    bestEffort: boolean,
    journal: StepJournal,
  ): Promise<void> {
    const { taskId, tenantId, request } = delivery.value;
    await this.producer.emit(
      TOPICS.reviewCompleted,
      { ...this.reviewed(delivery, judgement, checks, draft), verdict: 'approved' },
      { causedBy: delivery.envelope, headers: journal.headers() },
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

import { Inject, Injectable } from '@nestjs/common';
import { AgentStep, MongoCallJournal, ProfileCache, profileView, unknownUser } from '@tributary/agent';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, EventProducer } from '@tributary/kafka';
import { type DraftInput, LLM_PORT, type LlmPort, type ReviewCheck } from '@tributary/llm';
import { Retriever } from './retriever';

type ResearchCause = Delivery<typeof TOPICS.taskPlanned> | Delivery<typeof TOPICS.reviewCompleted>;

/**
 * task.planned (round 1) or a review asking for revision (round n+1) → research.completed:
 * retrieve candidates for the plan, then draft recommendations through the LLM port.
 * Both the retrieval (a tool call) and the draft (an LLM call) are journaled, so a redelivered
 * task resumes with the same candidates and pays for no call twice.
 */
@Injectable()
export class ResearchUseCase {
  constructor(
    @Inject(AgentStep) private readonly step: AgentStep,
    @Inject(ProfileCache) private readonly profiles: ProfileCache,
    @Inject(Retriever) private readonly retriever: Retriever,
    @Inject(MongoCallJournal) private readonly journal: MongoCallJournal,
    @Inject(LLM_PORT) private readonly llm: LlmPort,
    @Inject(EventProducer) private readonly producer: EventProducer,
  ) {}

  execute(
    delivery: ResearchCause,
    { round, critique }: { round: number; critique: string | null },
  ): Promise<void> {
    const { taskId, tenantId, request, plan } = delivery.value;
    return this.step.run(delivery, 'researching', async ({ signal, progress, journal, settle }) => {
      await progress.report(
        round === 1 ? 'Searching the catalogue' : `Revising the draft (round ${round}): ${critique ?? ''}`,
      );
      const profile = await this.profiles.get(tenantId, request.userId);
      if (!profile) throw unknownUser(request.userId);
      const candidates = await this.journal.recorded(
        MongoCallJournal.key('tool:retrieve', { tenantId, request, plan }),
        journal,
        () => this.retriever.candidates(tenantId, request, plan, profile),
        { tool: 'tool:retrieve', taskId },
      );
      await progress.report(
        `Found ${candidates.length} candidates across ${new Set(candidates.map((c) => c.category)).size} categories`,
      );
      const draft = await this.llm.draft(
        {
          request,
          plan,
          candidates,
          profile: profileView(profile),
          critique,
          round,
          ...revisionOf(delivery),
        },
        { taskId, tenantId, signal, onToken: progress.token, journal },
      );
      await progress.report(`Drafted ${draft.recommendations.length} recommendations`);
      await settle();
      await this.producer.emit(
        TOPICS.researchCompleted,
        { taskId, tenantId, request, plan, round, draft },
        { causedBy: delivery.envelope, headers: journal.headers() },
      );
    });
  }
}

const CHECK_KINDS: ReadonlySet<string> = new Set<ReviewCheck['kind']>([
  'constraint-violation',
  'over-budget',
  'disliked-tag',
  'duplicate',
  'missing-evidence',
  'low-diversity',
  'missed-intent',
  'too-few-results',
]);

const isKind = (kind: string): kind is ReviewCheck['kind'] => CHECK_KINDS.has(kind);

/** For a review that sent the draft back: that draft and the findings to act on, so the reviser edits it. */
function revisionOf(delivery: ResearchCause): Pick<DraftInput, 'previous' | 'findings'> {
  const value = delivery.value;
  if (!('verdict' in value)) return {};
  // A review written before reviews carried findings has none.
  const findings: (typeof value.findings)[number][] | undefined = value.findings;
  return {
    previous: value.draft,
    findings: (findings ?? []).flatMap((finding) =>
      isKind(finding.kind)
        ? [
            {
              kind: finding.kind,
              message: finding.message,
              itemIds: finding.itemIds,
              ...(finding.intent === null ? {} : { intent: finding.intent }),
            },
          ]
        : [],
    ),
  };
}

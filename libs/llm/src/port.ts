import { type Draft, type Plan, type TaskRequest } from '@tributary/contracts';
import { type JournalScope } from './recorded/call-recorder';

/**
 * The LLM port: task-shaped calls (plan, draft, review), not a raw chat API, so that a real
 * model behind an OpenAI-compatible endpoint and the offline recommender can both honour it.
 * Agents depend on this interface only, injected under {@link LLM_PORT}.
 */
export interface LlmPort {
  /** What produces the results: "offline" or "openai:<model>@<host>". Written into plans, drafts and logs. */
  readonly provider: string;

  /** Research steps (catalogue queries, category filters, rationale) from the request in words and the profile. */
  plan(input: PlanInput, opts: CallOptions): Promise<Plan>;

  /**
   * Up to `request.maxResults` recommendations chosen from `candidates`, each with a reason.
   * Every item id in the result is one of the candidates' ids; title, category and price come
   * from the candidate, never from the model.
   */
  draft(input: DraftInput, opts: CallOptions): Promise<Draft>;

  /** A verdict on a draft: the deterministic rule findings in `checks` plus judgement on relevance. */
  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement>;
}

/** Nest injection token for the {@link LlmPort} (emitDecoratorMetadata is off: use `@Inject(LLM_PORT)`). */
export const LLM_PORT = Symbol.for('tributary.LlmPort');

export interface CallOptions {
  /** Aborts the call, including an HTTP request in flight; the call then rejects with LlmAbortedError. */
  readonly signal?: AbortSignal;
  /** Receives output as it is produced (model tokens, or the offline provider's sentences), in order. */
  readonly onToken?: (delta: string) => void;
  /** For logs and error context; not part of a call's identity in the call journal. */
  readonly taskId: string;
  /**
   * The tenant the call is made for: part of a call's identity in the call journal, so one tenant's
   * call is never answered from (and cannot be timed against) another tenant's record.
   */
  readonly tenantId: string;
  /** The delivery the call is made for, as the call journal sees it (only RecordedLlm reads it). */
  readonly journal?: JournalScope;
  /**
   * Told once, when the call ends (also when it fails), of the tokens the server counted for it:
   * every request the call made summed, retries and a repair round included. Not called when no
   * request was counted: the offline recommender is no model and counts none, and a server may
   * leave `usage` out. RecordedLlm writes them into the call's journal record.
   */
  readonly onUsage?: (usage: TokenUsage) => void;
}

/** Tokens a call used, as the server counted them (`usage.prompt_tokens`, `usage.completion_tokens`). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The slice of a user profile the LLM sees. */
export interface ProfileView {
  readonly userId: string;
  readonly displayName: string;
  /** Interest (a tag, topic or category) to weight, higher is stronger; usually in [0, 1]. */
  readonly interests: Readonly<Record<string, number>>;
  readonly preferredCategories: readonly string[];
  readonly dislikedTags: readonly string[];
  readonly budgetMax: number | null;
  readonly currency: string;
}

/** A catalogue item found by retrieval, with its scores against the request and the profile. */
export interface Candidate {
  readonly itemId: string;
  readonly title: string;
  readonly category: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly price: number;
  readonly currency: string;
  /** 0..5, null when unrated. */
  readonly rating: number | null;
  /** Match against the request, in [0, 1]. */
  readonly relevance: number;
  /**
   * Fit to the user's profile: about 0..1 for a match, negative when retrieval subtracted penalties
   * (disliked tag, over budget). See rankScore for how it weighs.
   */
  readonly affinity: number;
  /** Request terms found in the item. */
  readonly matchedTerms: readonly string[];
  /** A reason pre-computed by retrieval, in words. */
  readonly hint: string;
  /**
   * The plan intent this candidate was retrieved for (`plan.intents[].id`); absent when only the
   * profile brought it in, or when the plan names no intents.
   */
  readonly intent?: string;
}

export interface PlanInput {
  readonly request: TaskRequest;
  readonly profile: ProfileView;
}

export interface DraftInput {
  readonly request: TaskRequest;
  readonly plan: Plan;
  readonly candidates: readonly Candidate[];
  readonly profile: ProfileView;
  /** The reviewer's critique of the previous round; null in round 1. */
  readonly critique: string | null;
  /** Starts at 1. */
  readonly round: number;
  /** The draft the reviewer sent back; absent in round 1. A reviser changes it rather than starting over. */
  readonly previous?: Draft;
  /** The reviewer's rule findings on `previous`, each a change to make. */
  readonly findings?: readonly ReviewCheck[];
}

/** Kinds of deterministic rule findings the reviewer agent computes before asking the LLM. */
export type ReviewCheckKind =
  | 'constraint-violation'
  | 'over-budget'
  | 'disliked-tag'
  | 'duplicate'
  | 'missing-evidence'
  | 'low-diversity'
  | 'missed-intent'
  | 'too-few-results';

export interface ReviewCheck {
  readonly kind: ReviewCheckKind;
  /** One sentence, shown to the model and written into the critique. */
  readonly message: string;
  /** The recommendations the finding is about; empty when it concerns the whole draft. */
  readonly itemIds: readonly string[];
  /** The plan intent a missed-intent finding is about. */
  readonly intent?: string;
}

export interface ReviewInput {
  readonly request: TaskRequest;
  readonly profile: ProfileView;
  readonly draft: Draft;
  readonly round: number;
  readonly checks: readonly ReviewCheck[];
}

export type ReviewVerdict = 'approved' | 'revise';

export interface ReviewJudgement {
  /** 'approved' only when there are no rule checks and the score reaches the approval threshold. */
  verdict: ReviewVerdict;
  /** Addressed to the drafter: what to change (or why it is fine). */
  critique: string;
  /** One entry per problem; rule checks first. */
  issues: string[];
  /** Overall quality in [0, 1]. */
  score: number;
  /**
   * The judge's own verdict, before the rule checks and the approval threshold were applied
   * (absent on records from before it was kept): what lets a replay apply another threshold to a
   * recorded judgement.
   */
  proposed?: ReviewVerdict;
}

/** Structural subset of Nest's Logger, so `new Logger('Llm')` can be passed as is. */
export interface LlmLogger {
  log(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
}

/** Default approval threshold; agents pass config.review.approveThreshold. */
export const DEFAULT_APPROVE_THRESHOLD = 0.7;

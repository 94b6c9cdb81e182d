import { type Draft, type Plan, type TaskRequest } from '@tributary/contracts';
import { LlmAbortedError, type LlmOperation } from '../errors';
import {
  type CallOptions,
  type Candidate,
  DEFAULT_APPROVE_THRESHOLD,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ProfileView,
  type ReviewInput,
  type ReviewJudgement,
} from '../port';
import {
  clamp01,
  eligibleCandidates,
  priceCeiling,
  MAX_PLAN_STEPS,
  type RawPlan,
  rankScore,
  round,
  shapeJudgement,
  shapePlan,
  toRecommendation,
} from '../shaping';
import { matchCategories } from '../categories';
import { withEnglish } from './glossary';
import { fold, splitIntents } from './intents';
import { money, quoteList, tokenize } from './text';
import { byRank, dedupe, type Ranked, reasonFor } from './ranking';
import { draftForIntents, draftsByIntent, reviseDraft } from './intent-draft';

export const OFFLINE_PROVIDER = 'offline';

export interface OfflineLlmOptions {
  /** Review score at or above which a draft without rule findings is approved. */
  readonly approveThreshold?: number;
}

const MAX_INTEREST_TERMS = 3;
/** A disliked tag halves an item's score unless the reviewer complained, then it is dropped. */
const DISLIKED_PENALTY = 0.5;
/** Under a budget critique, the priciest item loses up to this share of its score. */
const PRICE_PENALTY = 0.4;
const LOW_RELEVANCE = 0.25;

/**
 * The provider used when no LLM endpoint is configured: a deterministic retrieval-and-rules
 * recommender, not a language model. It plans from keywords and a keyword→category table, drafts
 * by ranking the retrieved candidates (relevance × profile affinity, hard constraints, category
 * diversity, the reviewer's critique) and writes reasons from the retrieval hints; it reviews with
 * the rule checks and a score. Same input, same output; no network.
 */
export class OfflineLlm implements LlmPort {
  readonly provider = OFFLINE_PROVIDER;
  private readonly approveThreshold: number;

  constructor(options: OfflineLlmOptions = {}) {
    this.approveThreshold = options.approveThreshold ?? DEFAULT_APPROVE_THRESHOLD;
  }

  plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    return this.run('plan', opts, (say) => {
      const plan = shapePlan(planSteps(input), input.request, this.provider).value;
      plan.steps.forEach((step, index) =>
        say(`Step ${index + 1}: search "${step.query}". ${step.rationale}\n`),
      );
      say(`${plan.summary}\n`);
      return plan;
    });
  }

  draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    return this.run('draft', opts, (say) => {
      const draft = draftFrom(input, this.provider);
      say(`${draft.summary}\n`);
      draft.recommendations.forEach((rec) => say(`${rec.title}: ${rec.reason}\n`));
      return draft;
    });
  }

  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    return this.run('review', opts, (say) => {
      const judgement = reviewDraft(input, this.approveThreshold);
      for (const line of judgement.critique.split('\n')) say(`${line}\n`);
      return judgement;
    });
  }

  private run<T>(
    operation: LlmOperation,
    opts: CallOptions,
    work: (say: (delta: string) => void) => T,
  ): Promise<T> {
    const checkAbort = (): void => {
      if (opts.signal?.aborted === true) {
        throw new LlmAbortedError(`${operation} aborted`, {
          provider: this.provider,
          operation,
          taskId: opts.taskId,
          cause: opts.signal.reason,
        });
      }
    };
    try {
      checkAbort();
      const result = work((delta) => {
        checkAbort();
        opts.onToken?.(delta);
      });
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

// ---------------------------------------------------------------- plan

function planSteps({ request, profile }: PlanInput): RawPlan {
  const allowed = request.constraints.categories.map((category) => category.toLowerCase());
  const intents = splitIntents(request.query, allowed).slice(0, MAX_PLAN_STEPS - 1);
  const steps: RawPlan['steps'] = [];

  for (const intent of intents) {
    const query = [...new Set([...intent.words, ...intent.tags])].join(' ');
    if (query === '') continue;
    const pointers = intent.matches.map((match) => `${match.category} (for ${quoteList(match.words)})`);
    const scope =
      pointers.length > 0
        ? `in ${pointers.join(', ')}`
        : `no word names a category, so search ${allowed.length > 0 ? allowed.join(', ') : 'every category'}`;
    const tags = intent.tags.length > 0 ? `; tags ${intent.tags.join(', ')}` : '';
    const of = intents.length > 1 ? ` ${intent.id.replace('intent-', '')} of ${intents.length}` : '';
    steps.push({
      query,
      categories: intent.categories.length > 0 ? intent.categories : allowed,
      intent: intent.id,
      rationale: `Intent${of}, “${intent.text}”: search ${quoteList(query.split(' '))} ${scope}${tags}.`,
    });
  }
  const named = new Set(intents.flatMap((intent) => intent.categories));
  const leftOut = matchCategories(tokenize(withEnglish(fold(request.query))))
    .map((match) => match.category)
    .filter((category) => !named.has(category));
  if (leftOut.length > 0 && steps[0] !== undefined) {
    steps[0].rationale += ` ${leftOut.join(', ')} left out: the request allows only ${allowed.join(', ')}.`;
  }

  const interests = topInterests(profile);
  const preferred = profile.preferredCategories
    .map((category) => category.toLowerCase())
    .filter((category) => allowed.length === 0 || allowed.includes(category));
  if (interests.length > 0 || preferred.length > 0) {
    const weights = interests.map(([name, weight]) => `${name} (${weight.toFixed(2)})`).join(', ');
    const parts = [
      interests.length > 0 ? `strongest interests ${weights}` : '',
      preferred.length > 0 ? `preferred categories ${preferred.join(', ')}` : '',
    ];
    steps.push({
      query: (interests.length > 0 ? interests.map(([name]) => name) : preferred).join(' '),
      categories: preferred,
      intent: null,
      rationale: `Personalise for ${profile.displayName}, after what the request asks for: ${parts.filter((part) => part !== '').join('; ')}.`,
    });
  }

  if (steps.length === 0) {
    steps.push({
      query: tokenize(request.query).join(' ') || 'popular',
      categories: allowed,
      intent: null,
      rationale:
        'The request has no searchable words and the profile no interests: search broadly and let ratings decide.',
    });
  }

  const scope = [...new Set(steps.flatMap((step) => step.categories))];
  const asked =
    intents.length > 1
      ? ` ${intents.length} intents (${intents.map((intent) => `“${intent.text}”`).join(', ')}),`
      : '';
  return {
    summary:
      `Offline plan for "${request.query.trim()}":${asked} ${steps.length} search step${steps.length === 1 ? '' : 's'} over ` +
      `${scope.length > 0 ? scope.join(', ') : 'all categories'}${constraintNote(request, profile)}.`,
    steps,
    intents: intents.map(({ id, text, categories, tags }) => ({ id, text, categories, tags })),
  };
}

/** The strongest interests: at most three, and none weaker than half the strongest. */
function topInterests(profile: ProfileView): [string, number][] {
  const disliked = new Set(profile.dislikedTags.map((tag) => tag.toLowerCase()));
  const ranked = Object.entries(profile.interests)
    .filter(([name, weight]) => weight > 0 && !disliked.has(name.toLowerCase()))
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const strongest = ranked[0]?.[1] ?? 0;
  return ranked.filter(([, weight]) => weight >= strongest / 2).slice(0, MAX_INTEREST_TERMS);
}

function constraintNote(request: TaskRequest, profile: ProfileView): string {
  const { constraints } = request;
  const notes: string[] = [];
  const ceiling = priceCeiling(request, profile);
  if (constraints.minPrice !== null) notes.push(`from ${money(constraints.minPrice, profile.currency)}`);
  if (ceiling !== null) notes.push(`up to ${money(ceiling, profile.currency)}`);
  const avoided = [...new Set([...constraints.excludeTags, ...profile.dislikedTags])];
  if (avoided.length > 0) notes.push(`avoiding ${avoided.join(', ')}`);
  if (constraints.excludeItemIds.length > 0)
    notes.push(`${constraints.excludeItemIds.length} item(s) excluded`);
  return notes.length > 0 ? `, ${notes.join(', ')}` : '';
}

// ---------------------------------------------------------------- draft

/** What the reviewer's critique asks the next draft to change. */
interface Course {
  readonly drop: Set<string>;
  readonly diversity: boolean;
  readonly budget: boolean;
  readonly evidence: boolean;
  readonly relevance: boolean;
  readonly strictTags: boolean;
  readonly notes: string[];
}

const SIGNALS = {
  diversity: /divers|variety|varied|same category|one category/,
  budget: /budget|price|expensive|cheaper|afford/,
  evidence: /evidence|unsupported|matched term/,
  relevance: /relevan|off-topic|unrelated|does not match|doesn't match/,
  strictTags: /constraint|exclu|dislike|\btags?\b/,
} as const;

/** Lines about these name items that are fine on their own; ranking and the category cap fix them. */
const KEEP_NAMED = /duplicate|divers|variety|same category/;

/**
 * Reads a critique line by line: item ids named in a finding are dropped (except in duplicate or
 * diversity findings), keywords switch ranking rules on. A critique with nothing recognisable
 * still changes course: the next draft ranks by request relevance alone.
 */
export function readCritique(critique: string | null, candidates: readonly Candidate[]): Course {
  const drop = new Set<string>();
  const notes: string[] = [];
  if (critique === null || critique.trim() === '') {
    return {
      drop,
      diversity: false,
      budget: false,
      evidence: false,
      relevance: false,
      strictTags: false,
      notes,
    };
  }
  for (const line of critique.split('\n')) {
    if (KEEP_NAMED.test(line.toLowerCase())) continue;
    for (const candidate of candidates) {
      const escaped = candidate.itemId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`).test(line)) drop.add(candidate.itemId);
    }
  }
  const text = critique.toLowerCase();
  const diversity = SIGNALS.diversity.test(text);
  const budget = SIGNALS.budget.test(text);
  const evidence = SIGNALS.evidence.test(text);
  const strictTags = SIGNALS.strictTags.test(text);
  const recognised =
    drop.size > 0 || diversity || budget || evidence || strictTags || SIGNALS.relevance.test(text);
  const relevance = SIGNALS.relevance.test(text) || !recognised;
  if (drop.size > 0) notes.push(`dropped ${[...drop].sort().join(', ')} named in the review`);
  if (diversity) notes.push('one item per category first, for diversity');
  if (budget) notes.push('cheaper items preferred');
  if (evidence) notes.push('only items with matched request terms');
  if (strictTags) notes.push('items with disliked tags left out');
  if (relevance)
    notes.push(
      recognised
        ? 'ranked by request relevance alone'
        : 'no specific finding recognised, so ranked by request relevance alone',
    );
  return { drop, diversity, budget, evidence, relevance, strictTags, notes };
}

function draftFrom(input: DraftInput, provider: string): Draft {
  if (input.previous !== undefined) return reviseDraft(input, input.previous, provider);
  if (draftsByIntent(input)) return draftForIntents(input, provider);
  const { request, profile, candidates, critique, round: draftRound } = input;
  const course = readCritique(critique, candidates);
  const disliked = new Set(profile.dislikedTags.map((tag) => tag.toLowerCase()));
  const hasDisliked = (candidate: Candidate): boolean =>
    candidate.tags.some((tag) => disliked.has(tag.toLowerCase()));

  let pool = eligibleCandidates(candidates, request, profile).filter(
    (candidate) => !course.drop.has(candidate.itemId),
  );
  if (course.strictTags) pool = pool.filter((candidate) => !hasDisliked(candidate));
  if (course.evidence) {
    const supported = pool.filter((candidate) => candidate.matchedTerms.length > 0);
    if (supported.length > 0) pool = supported;
  }

  const ceiling = priceCeiling(request, profile) ?? Math.max(0, ...pool.map((candidate) => candidate.price));
  const scored: Ranked[] = pool.map((candidate) => {
    let score = course.relevance ? clamp01(candidate.relevance) : rankScore(candidate);
    if (hasDisliked(candidate)) score *= DISLIKED_PENALTY;
    if (course.budget && ceiling > 0) score *= 1 - PRICE_PENALTY * clamp01(candidate.price / ceiling);
    return { candidate, score };
  });
  const ranked = dedupe(scored.sort(byRank));
  const perCategory = course.diversity ? 1 : Math.max(1, Math.ceil(request.maxResults / 2));
  const chosen = selectDiverse(ranked, Math.max(0, request.maxResults), perCategory);
  const recommendations = chosen.map(({ candidate, score }) =>
    toRecommendation(candidate, reasonFor(candidate, request, profile), score),
  );

  const categories = [...new Set(recommendations.map((rec) => rec.category))];
  const query = request.query.trim();
  const revision =
    critique !== null && course.notes.length > 0
      ? ` Round ${draftRound}, revised after review: ${course.notes.join('; ')}.`
      : '';
  const summary =
    recommendations.length === 0
      ? `No candidate fits "${query}" within the constraints.${revision}`
      : `${recommendations.length} pick${recommendations.length === 1 ? '' : 's'} for "${query}" from ${categories.join(', ')}, ranked offline by ` +
        `request relevance and ${profile.displayName}'s profile affinity, at most ${perCategory} per category before filling.${revision}`;
  return { summary, recommendations, provider };
}

/** Best first, at most `perCategory` of a category; then fills the remaining slots in rank order. */
function selectDiverse(ranked: readonly Ranked[], limit: number, perCategory: number): Ranked[] {
  const chosen: Ranked[] = [];
  const counts = new Map<string, number>();
  for (const entry of ranked) {
    if (chosen.length >= limit) break;
    const count = counts.get(entry.candidate.category) ?? 0;
    if (count < perCategory) {
      chosen.push(entry);
      counts.set(entry.candidate.category, count + 1);
    }
  }
  for (const entry of ranked) {
    if (chosen.length >= limit) break;
    if (!chosen.includes(entry)) chosen.push(entry);
  }
  return chosen.sort(byRank);
}

// ---------------------------------------------------------------- review

function reviewDraft(
  { request, draft, round: reviewRound, checks }: ReviewInput,
  threshold: number,
): ReviewJudgement {
  const recs = draft.recommendations;
  if (recs.length === 0) {
    return shapeJudgement(
      {
        verdict: 'revise',
        critique: `Round ${reviewRound}: the draft has no recommendations; widen the search or relax preferences.`,
        issues: ['The draft has no recommendations.'],
        score: 0,
      },
      checks,
      threshold,
    );
  }
  const meanScore = recs.reduce((sum, rec) => sum + rec.score, 0) / recs.length;
  const coverage = Math.min(1, recs.length / Math.max(1, request.maxResults));
  const score = clamp01(0.5 + 0.3 * clamp01(meanScore) + 0.2 * coverage - 0.2 * checks.length);
  const issues: string[] = [];
  if (meanScore < LOW_RELEVANCE)
    issues.push(
      `Relevance is low: mean item score ${meanScore.toFixed(2)}; prefer items that match the request more closely.`,
    );
  if (coverage < 1) issues.push(`Only ${recs.length} of ${request.maxResults} requested recommendations.`);
  const categories = new Set(recs.map((rec) => rec.category)).size;
  const passes = checks.length === 0 && score >= threshold;
  const critique = passes
    ? `Approved in round ${reviewRound}: ${recs.length} recommendation${recs.length === 1 ? '' : 's'} across ${categories} categor${categories === 1 ? 'y' : 'ies'}, ` +
      `no rule findings, score ${round(score, 3).toFixed(2)} (threshold ${threshold.toFixed(2)}).`
    : [`Revise (round ${reviewRound}), score ${round(score, 3).toFixed(2)}.`, ...issues].join(' ');
  return shapeJudgement(
    { verdict: passes ? 'approved' : 'revise', critique, issues, score },
    checks,
    threshold,
  );
}

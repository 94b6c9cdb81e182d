import { type Draft, type Plan, type Recommendation, type TaskRequest } from '@tributary/contracts';
import {
  type Candidate,
  type ProfileView,
  type ReviewCheck,
  type ReviewJudgement,
  type ReviewVerdict,
} from './port';

/**
 * Rules both adapters share, so a plan, a draft or a verdict means the same whichever provider
 * produced it: hard constraints, the recommendation score, evidence, check handling.
 */

export const MAX_PLAN_STEPS = 6;

export function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The score written on a recommendation: request relevance scaled by profile affinity. The factor
 * is 0.5 + 0.5 × affinity, kept within [0.1, 1]: affinity 0 (an empty profile) halves relevance
 * instead of zeroing it, full affinity keeps it, and a negative affinity (retrieval subtracts
 * dislikes and budget overshoot) pushes the item down to a tenth.
 */
export function rankScore(candidate: Pick<Candidate, 'relevance' | 'affinity'>): number {
  const affinity = Number.isFinite(candidate.affinity) ? candidate.affinity : 0;
  return clamp01(candidate.relevance) * Math.min(1, Math.max(0.1, 0.5 + 0.5 * affinity));
}

/**
 * Relevance first, personalisation second: request relevance scaled by 0.75 + 0.25 × affinity
 * (affinity kept within [-1, 1]), so the profile moves an item by at most a quarter of its match:
 * a strong match the profile does not favour (or that is over the user's usual budget) still ranks
 * above a weak match the profile loves.
 */
export function relevanceFirst(candidate: Pick<Candidate, 'relevance' | 'affinity'>): number {
  const affinity = Number.isFinite(candidate.affinity) ? Math.min(1, Math.max(-1, candidate.affinity)) : 0;
  return clamp01(candidate.relevance) * (0.75 + 0.25 * affinity);
}

/** Item id first, then the request terms the item matched. */
export function evidenceFor(candidate: Candidate): string[] {
  return [candidate.itemId, ...candidate.matchedTerms];
}

/** The lower of the request's price ceiling and the profile budget, or null when neither is set. */
export function priceCeiling(request: TaskRequest, profile: ProfileView): number | null {
  const limits = [request.constraints.maxPrice, profile.budgetMax].filter(
    (limit): limit is number => limit !== null,
  );
  return limits.length > 0 ? Math.min(...limits) : null;
}

const lower = (values: readonly string[]): string[] =>
  values.map((value) => value.trim().toLowerCase()).filter((value) => value !== '');

/**
 * Why a candidate may not be recommended at all, or null when it may. Hard rules only: the request's
 * constraints and the profile budget. Disliked tags are a preference, weighed by the drafter.
 * Budget applies when the candidate is priced in the profile's currency (no conversion here).
 */
export function ineligibility(
  candidate: Candidate,
  request: TaskRequest,
  profile: ProfileView,
): string | null {
  const { constraints } = request;
  if (constraints.excludeItemIds.includes(candidate.itemId)) return 'excluded by the request';
  const excludedTags = new Set(lower(constraints.excludeTags));
  const hit = lower(candidate.tags).find((tag) => excludedTags.has(tag));
  if (hit !== undefined) return `has the excluded tag "${hit}"`;
  const categories = lower(constraints.categories);
  if (categories.length > 0 && !categories.includes(candidate.category.toLowerCase())) {
    return `category "${candidate.category}" is outside ${categories.join(', ')}`;
  }
  if (constraints.minPrice !== null && candidate.price < constraints.minPrice)
    return `price ${candidate.price} is below ${constraints.minPrice}`;
  if (constraints.maxPrice !== null && candidate.price > constraints.maxPrice)
    return `price ${candidate.price} is above ${constraints.maxPrice}`;
  if (
    profile.budgetMax !== null &&
    candidate.currency === profile.currency &&
    candidate.price > profile.budgetMax
  ) {
    return `price ${candidate.price} ${candidate.currency} is over the budget of ${profile.budgetMax}`;
  }
  return null;
}

export function eligibleCandidates(
  candidates: readonly Candidate[],
  request: TaskRequest,
  profile: ProfileView,
): Candidate[] {
  return candidates.filter((candidate) => ineligibility(candidate, request, profile) === null);
}

export interface RawPlan {
  summary: string;
  steps: { query: string; categories: string[]; rationale: string; intent?: string | null }[];
  /** What the request asks for; a step names the intent it serves by id. */
  intents?: { id: string; text: string; categories: string[]; tags: string[] }[];
}

export interface Shaped<T> {
  readonly value: T;
  /** Problems worth a repair request to the model; empty when the value is sound. */
  readonly problems: string[];
}

/** Numbers the steps, honours `constraints.categories` and drops steps without a query. */
export function shapePlan(raw: RawPlan, request: TaskRequest, provider: string): Shaped<Plan> {
  const allowed = [...new Set(lower(request.constraints.categories))];
  const intents = (raw.intents ?? []).map((intent) => {
    const categories = [...new Set(lower(intent.categories))];
    return {
      id: intent.id,
      text: intent.text.trim(),
      categories:
        allowed.length > 0 ? categories.filter((category) => allowed.includes(category)) : categories,
      tags: [...new Set(lower(intent.tags))],
    };
  });
  const intentIds = new Set(intents.map((intent) => intent.id));
  const steps = raw.steps
    .map((step) => ({ ...step, query: step.query.trim().replace(/\s+/g, ' ') }))
    .filter((step) => step.query !== '')
    .slice(0, MAX_PLAN_STEPS)
    .map((step, index) => {
      let categories = [...new Set(lower(step.categories))];
      if (allowed.length > 0) {
        categories = categories.filter((category) => allowed.includes(category));
        if (categories.length === 0) categories = allowed;
      }
      const intent = step.intent ?? null;
      const served = intent !== null && intentIds.has(intent) ? intent : null;
      return {
        id: `step-${index + 1}`,
        query: step.query,
        categories,
        rationale: step.rationale.trim(),
        intent: served,
      };
    });
  const problems =
    steps.length === 0 ? ['$.steps: at least one step with a non-empty query is required'] : [];
  return { value: { summary: raw.summary.trim(), steps, provider, intents }, problems };
}

export interface RawDraft {
  summary: string;
  recommendations: { itemId: string; reason: string }[];
}

/**
 * Turns the model's choice (ids and reasons) into recommendations. Title, category, price and
 * evidence come from the candidate, so a model cannot invent them; an id that is not an eligible
 * candidate is a problem; repeats are dropped and the list is cut at `maxResults`.
 */
export function shapeDraft(
  raw: RawDraft,
  candidates: readonly Candidate[],
  request: TaskRequest,
  profile: ProfileView,
  provider: string,
): Shaped<Draft> {
  const byId = new Map(candidates.map((candidate) => [candidate.itemId, candidate]));
  const problems: string[] = [];
  const seen = new Set<string>();
  const recommendations: Recommendation[] = [];
  raw.recommendations.forEach((choice, index) => {
    const path = `$.recommendations[${index}]`;
    const candidate = byId.get(choice.itemId);
    if (candidate === undefined) {
      problems.push(`${path}.itemId: "${choice.itemId}" is not one of the candidate ids`);
      return;
    }
    const reasonNotAllowed = ineligibility(candidate, request, profile);
    if (reasonNotAllowed !== null) {
      problems.push(`${path}.itemId: "${choice.itemId}" may not be recommended (${reasonNotAllowed})`);
      return;
    }
    if (choice.reason.trim() === '') {
      problems.push(`${path}.reason: must say why "${choice.itemId}" suits this user`);
      return;
    }
    if (seen.has(candidate.itemId)) return;
    seen.add(candidate.itemId);
    recommendations.push(toRecommendation(candidate, choice.reason.trim()));
  });
  return {
    value: {
      summary: raw.summary.trim(),
      recommendations: recommendations.slice(0, Math.max(0, request.maxResults)),
      provider,
    },
    problems,
  };
}

export function toRecommendation(
  candidate: Candidate,
  reason: string,
  score = rankScore(candidate),
): Recommendation {
  return {
    itemId: candidate.itemId,
    title: candidate.title,
    category: candidate.category,
    price: candidate.price,
    currency: candidate.currency,
    reason,
    score: round(score),
    evidence: evidenceFor(candidate),
  };
}

export function formatCheck(check: ReviewCheck): string {
  const items = check.itemIds.length > 0 ? ` (items: ${check.itemIds.join(', ')})` : '';
  return `[${check.kind}] ${check.message}${items}`;
}

export interface RawJudgement {
  verdict: ReviewVerdict;
  critique: string;
  issues: string[];
  score: number;
}

/**
 * The approval rule, the same for every provider: approved only when the judge approves, no rule
 * check fired and the score reaches the threshold. Rule checks always lead the issues and the critique.
 */
export function shapeJudgement(
  raw: RawJudgement,
  checks: readonly ReviewCheck[],
  threshold: number,
): ReviewJudgement {
  const score = round(clamp01(raw.score), 3);
  const ruleIssues = checks.map(formatCheck);
  const issues = [
    ...new Set([...ruleIssues, ...raw.issues.map((issue) => issue.trim()).filter((issue) => issue !== '')]),
  ];
  const approved = raw.verdict === 'approved' && checks.length === 0 && score >= threshold;
  const notes: string[] = [];
  if (checks.length > 0)
    notes.push(`Rule checks to fix:\n${ruleIssues.map((issue) => `- ${issue}`).join('\n')}`);
  if (raw.verdict === 'approved' && checks.length === 0 && !approved) {
    notes.push(`Score ${score.toFixed(2)} is below the approval threshold ${threshold.toFixed(2)}.`);
  }
  const critique = [...notes, raw.critique.trim()].filter((part) => part !== '').join('\n');
  return { verdict: approved ? 'approved' : 'revise', critique, issues, score, proposed: raw.verdict };
}

/**
 * A judgement held to `threshold`: approved only when the judge proposed approval, no rule check
 * fired and the score reaches it. The reviewer applies its own threshold to every judgement, so a
 * judgement answered from the call journal (recorded under another threshold) is decided as a new
 * one would be. A record without the judge's own verdict keeps its verdict unless the score now
 * falls short.
 */
export function withThreshold(
  judgement: ReviewJudgement,
  checks: readonly ReviewCheck[],
  threshold: number,
): ReviewJudgement {
  const proposed = judgement.proposed ?? judgement.verdict;
  const approved = proposed === 'approved' && checks.length === 0 && judgement.score >= threshold;
  const verdict: ReviewVerdict = approved ? 'approved' : 'revise';
  if (verdict === judgement.verdict) return judgement;
  const note = approved
    ? `Score ${judgement.score.toFixed(2)} reaches the approval threshold ${threshold.toFixed(2)}.`
    : `Score ${judgement.score.toFixed(2)} is below the approval threshold ${threshold.toFixed(2)}.`;
  return { ...judgement, verdict, critique: `${note}\n${judgement.critique}` };
}

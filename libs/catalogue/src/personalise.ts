import { type CatalogueItem, type ScoredItem, type UserProfile } from './types';

export interface ScoreBreakdown {
  /** BM25 score divided by the best score among the candidates: 0–1. */
  readonly relevance: number;
  /** Profile fit: interests, preferred categories and rating, minus dislike, budget and history penalties. */
  readonly affinity: number;
  /** Subtracted for resembling items ranked above this one. */
  readonly diversityPenalty: number;
  /** relevance + affinity - diversityPenalty. */
  readonly final: number;
}

export interface RankedItem extends ScoredItem {
  readonly breakdown: ScoreBreakdown;
}

export interface AffinityWeights {
  /** Added at full interest match; interests on several tags combine as 1 - Π(1 - w). */
  readonly interest: number;
  readonly preferredCategory: number;
  /** Added for a 5-star rating, scaled linearly to 0 at 3.5 stars and negative below. */
  readonly rating: number;
  /** Subtracted once if any tag is disliked; larger than the whole relevance range so it dominates. */
  readonly dislikedTag: number;
  /** Subtracted when over budget, growing to twice this at double the budget. */
  readonly budget: number;
  /** Subtracted for items already in the history when history is 'penalise'. */
  readonly history: number;
}

export const DEFAULT_AFFINITY_WEIGHTS: AffinityWeights = {
  interest: 0.6,
  preferredCategory: 0.2,
  rating: 0.1,
  dislikedTag: 2,
  budget: 0.6,
  history: 1,
};

export interface RerankOptions {
  /** 0 keeps pure score order; higher values push for variety in category and tags. Default 0.3. */
  readonly diversity?: number;
  /** Maximum items returned; default all candidates. */
  readonly limit?: number;
  /** 'exclude' (default) drops items in the user's history; 'penalise' keeps them lower down. */
  readonly history?: 'exclude' | 'penalise';
  readonly weights?: Partial<AffinityWeights>;
}

const DEFAULT_DIVERSITY = 0.3;
const NEUTRAL_RATING = 3.5;

export function interestMatch(item: CatalogueItem, profile: UserProfile): number {
  let miss = 1;
  for (const tag of item.tags) miss *= 1 - Math.min(1, Math.max(0, profile.interests[tag] ?? 0));
  return 1 - miss;
}

/** How far over budget the item is, as a fraction of the budget; 0 when within it or not comparable. */
export function budgetOvershoot(item: CatalogueItem, profile: UserProfile): number {
  const budget = profile.budget;
  if (budget === undefined || budget.currency !== item.currency || item.price <= budget.max) return 0;
  return budget.max > 0 ? (item.price - budget.max) / budget.max : 1;
}

export function affinityScore(
  item: CatalogueItem,
  profile: UserProfile,
  weights: AffinityWeights,
  penaliseHistory: boolean,
): number {
  let score = weights.interest * interestMatch(item, profile);
  if (profile.preferredCategories.includes(item.category)) score += weights.preferredCategory;
  if (item.rating !== undefined)
    score += (weights.rating * (item.rating - NEUTRAL_RATING)) / (5 - NEUTRAL_RATING);
  if (item.tags.some((tag) => profile.dislikedTags.includes(tag))) score -= weights.dislikedTag;
  const overshoot = budgetOvershoot(item, profile);
  if (overshoot > 0) score -= weights.budget * (1 + Math.min(1, overshoot));
  if (penaliseHistory && profile.history.includes(item.id)) score -= weights.history;
  return score;
}

/** An item's tags as a set, for {@link similarity}: built once per candidate, not once per comparison. */
interface TagSet {
  readonly tags: ReadonlySet<string>;
  /** The item lists a tag twice: shared tags are then counted by distinct tag for the union. */
  readonly repeats: boolean;
}

function tagSetOf(item: CatalogueItem): TagSet {
  const tags = new Set(item.tags);
  return { tags, repeats: tags.size !== item.tags.length };
}

/**
 * Half from sharing a category, half from tag overlap (Jaccard): `a`'s tags found among `b`'s, over
 * the distinct tags of both.
 */
function similarity(a: Candidate, b: Candidate): number {
  const first = a.scored.item;
  const second = b.scored.item;
  const sameCategory = first.category === second.category ? 1 : 0;
  let shared = 0;
  for (const tag of first.tags) if (b.tagSet.tags.has(tag)) shared += 1;
  let common = shared;
  if (a.tagSet.repeats) {
    common = 0;
    for (const tag of a.tagSet.tags) if (b.tagSet.tags.has(tag)) common += 1;
  }
  const union = a.tagSet.tags.size + b.tagSet.tags.size - common;
  return 0.5 * sameCategory + 0.5 * (union > 0 ? shared / union : 0);
}

interface Candidate {
  readonly scored: ScoredItem;
  readonly relevance: number;
  readonly affinity: number;
  readonly base: number;
  readonly tagSet: TagSet;
  /** Highest similarity to anything already picked. */
  closest: number;
}

function toCandidates(
  scored: readonly ScoredItem[],
  profile: UserProfile,
  options: RerankOptions,
): Candidate[] {
  const weights = { ...DEFAULT_AFFINITY_WEIGHTS, ...options.weights };
  const penaliseHistory = options.history === 'penalise';
  const kept = penaliseHistory ? scored : scored.filter(({ item }) => !profile.history.includes(item.id));
  const best = kept.reduce((max, { score }) => Math.max(max, score), 0);
  return kept.map((entry) => {
    const relevance = best > 0 ? entry.score / best : 0;
    const affinity = affinityScore(entry.item, profile, weights, penaliseHistory);
    return {
      scored: entry,
      relevance,
      affinity,
      base: relevance + affinity,
      tagSet: tagSetOf(entry.item),
      closest: 0,
    };
  });
}

function pickNext(candidates: readonly Candidate[], diversity: number): Candidate | undefined {
  let best: Candidate | undefined;
  let bestValue = -Infinity;
  for (const candidate of candidates) {
    const value = candidate.base - diversity * candidate.closest;
    const wins =
      value > bestValue ||
      (value === bestValue && best !== undefined && candidate.scored.item.id < best.scored.item.id);
    if (wins) {
      best = candidate;
      bestValue = value;
    }
  }
  return best;
}

/**
 * Re-ranks search results for one user: relevance (normalised BM25) plus profile affinity, then a
 * greedy maximal-marginal-relevance pass that lowers items resembling those already chosen.
 * Deterministic: equal values are ordered by item id.
 */
export function rerankForProfile(
  scored: readonly ScoredItem[],
  profile: UserProfile,
  options: RerankOptions = {},
): RankedItem[] {
  const diversity = Math.max(0, options.diversity ?? DEFAULT_DIVERSITY);
  const limit = options.limit ?? Infinity;
  const remaining = toCandidates(scored, profile, options);
  const ranked: RankedItem[] = [];
  const take = (next: Candidate): void => {
    const diversityPenalty = diversity * next.closest;
    const final = next.base - diversityPenalty;
    ranked.push({
      ...next.scored,
      score: final,
      breakdown: { relevance: next.relevance, affinity: next.affinity, diversityPenalty, final },
    });
  };
  if (diversity === 0) {
    // Without diversity nothing picked changes the others' value: the greedy pass is a sort, in the
    // order pickNext would take them (ties by item id, then input order; a value that never wins out).
    const ordered = remaining.filter((candidate) => candidate.base > -Infinity).sort(byBaseThenId);
    for (const next of ordered) {
      if (!(ranked.length < limit)) break;
      take(next);
    }
    return ranked;
  }
  while (ranked.length < limit) {
    const next = pickNext(remaining, diversity);
    if (next === undefined) break;
    remaining.splice(remaining.indexOf(next), 1);
    take(next);
    if (!(ranked.length < limit)) break;
    for (const candidate of remaining) {
      candidate.closest = Math.max(candidate.closest, similarity(candidate, next));
    }
  }
  return ranked;
}

function byBaseThenId(a: Candidate, b: Candidate): number {
  if (a.base !== b.base) return a.base > b.base ? -1 : 1;
  const x = a.scored.item.id;
  const y = b.scored.item.id;
  return x < y ? -1 : x > y ? 1 : 0;
}

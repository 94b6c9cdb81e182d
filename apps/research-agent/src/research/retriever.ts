import { Inject, Injectable, Optional } from '@nestjs/common';
import { toCatalogueConstraints } from '@tributary/agent';
import {
  type CatalogueItem,
  explainRecommendation,
  type RankedItem,
  rerankForProfile,
  satisfies,
  type ScoredItem,
  type TextSearch,
  type UserProfile,
} from '@tributary/catalogue';
import { type Plan, type TaskRequest } from '@tributary/contracts';
import { type Candidate, relevanceFirst } from '@tributary/llm';
import { CatalogueIndex } from './catalogue-index';
import { HybridRetrieval } from './hybrid-retrieval';

/** Candidates offered to the drafter per requested recommendation: room to choose, few enough to prompt. */
const CANDIDATES_PER_RESULT = 4;
const MIN_CANDIDATES = 12;
const HITS_PER_STEP = 60;

/**
 * Retrieval for one task: BM25 search per plan step (filtered by the request's constraints and the
 * step's categories), hits merged by best score, then re-ranked by the user's profile with diversity.
 */
@Injectable()
export class Retriever {
  constructor(
    @Inject(CatalogueIndex) private readonly catalogue: CatalogueIndex,
    @Optional() @Inject(HybridRetrieval) private readonly hybrid?: HybridRetrieval,
  ) {}

  async candidates(
    tenantId: string,
    request: TaskRequest,
    plan: Plan,
    profile: UserProfile,
  ): Promise<Candidate[]> {
    const bm25 = await this.catalogue.get(tenantId);
    const queries = [request.query, ...plan.steps.map((step) => step.query)];
    const index = (await this.hybrid?.searchFor(tenantId, bm25, queries)) ?? bm25;
    return rankCandidates(index, request, plan, profile);
  }
}

/** The candidates for one task from one tenant's index, best first: the retriever's decisions, without I/O. */
export function rankCandidates(
  index: TextSearch,
  request: TaskRequest,
  plan: Plan,
  profile: UserProfile,
): Candidate[] {
  // A plan read from an event written before plans named intents has none.
  const intents: Plan['intents'] | undefined = plan.intents;
  if (
    intents !== undefined &&
    intents.length > 0 &&
    plan.steps.some((step) => (step.intent ?? null) !== null)
  ) {
    return rankByIntent(index, request, plan, profile);
  }
  const best = new Map<string, ScoredItem>();
  const steps = plan.steps.length > 0 ? plan.steps : [{ query: request.query, categories: [] as string[] }];
  for (const step of steps) {
    let hits = index.search(step.query, {
      limit: HITS_PER_STEP,
      filter: toCatalogueConstraints(request.constraints, step.categories),
    });
    // A step whose categories exclude everything the request allows falls back to the request alone.
    if (hits.length === 0)
      hits = index.search(step.query, {
        limit: HITS_PER_STEP,
        filter: toCatalogueConstraints(request.constraints),
      });
    // An item keeps its best score over the steps and the words it matched in any of them.
    for (const hit of hits) {
      const seen = best.get(hit.item.id);
      const matchedTerms = [...new Set([...(seen?.matchedTerms ?? []), ...hit.matchedTerms])];
      best.set(hit.item.id, { ...(seen && seen.score >= hit.score ? seen : hit), matchedTerms });
    }
  }
  const limit = Math.max(MIN_CANDIDATES, request.maxResults * CANDIDATES_PER_RESULT);
  return rerankForProfile([...best.values()], profile, { limit }).map((ranked) =>
    toCandidate(ranked, profile),
  );
}

/** Candidates kept per pool (one pool per intent, one for the profile): room to replace any pick. */
const MIN_PER_POOL = 6;
/** The weight of a match outside the categories the planner gave an intent. */
const OUTSIDE_CATEGORY = 0.5;

/**
 * Relevance first, personalisation second: each intent of the plan gets its own pool of the items
 * that match it best (relevance normalised within the pool, so a rare word in one intent cannot
 * crowd out another), ordered by relevance scaled by profile fit; the profile's own step fills a
 * last pool with what the intents did not bring. Every pool honours the request's constraints and
 * leaves out what the user already has; the profile budget is a preference, weighed in the order,
 * so the one item that answers an intent is offered even above it.
 */
function rankByIntent(
  index: TextSearch,
  request: TaskRequest,
  plan: Plan,
  profile: UserProfile,
): Candidate[] {
  const perPool = Math.max(MIN_PER_POOL, request.maxResults * 2);
  // Asked of every hit of every search below.
  const history = new Set(profile.history);
  const owned = (item: CatalogueItem): boolean => history.has(item.id);
  const search = (query: string, categories: readonly string[]): ScoredItem[] => {
    const constraints = toCatalogueConstraints(request.constraints, categories);
    return index.search(query, {
      limit: HITS_PER_STEP,
      filter: (item) => satisfies(item, constraints) && !owned(item),
    });
  };
  const pools = new Map<string | null, Pooled[]>();
  for (const step of plan.steps) {
    let hits = search(step.query, step.categories);
    // The planner's categories come from a keyword table and can miss the one the catalogue files
    // an item under ("a daypack for a trip"): strong matches elsewhere stay in the pool, at a discount.
    if (step.categories.length > 0 && (step.intent ?? null) !== null) {
      const inside = new Set(hits.map((hit) => hit.item.id));
      const outside = search(step.query, [])
        .filter((hit) => !inside.has(hit.item.id))
        .map((hit) => ({ ...hit, score: hit.score * OUTSIDE_CATEGORY }));
      hits = [...hits, ...outside];
    }
    // Words that match nothing in the intent's categories: its categories' best-rated items, by name.
    if (hits.length === 0 && step.categories.length > 0)
      hits = search(step.categories.join(' ').replace(/-/g, ' '), step.categories);
    if (hits.length === 0) hits = search(step.query, []);
    const ranked = rerankForProfile(hits, profile, { diversity: 0 })
      .map((entry) => pooled(entry, step.intent ?? undefined))
      .sort(byRelevanceFirst);
    const intent = step.intent ?? null;
    pools.set(intent, [...(pools.get(intent) ?? []), ...ranked]);
  }
  // An item serves the intent where it is most relevant; the profile pool keeps only what no intent took.
  const home = new Map<string, Pooled>();
  for (const [intent, pool] of pools) {
    if (intent === null) continue;
    for (const candidate of pool) {
      const seen = home.get(candidate.itemId);
      if (seen === undefined || candidate.relevance > seen.relevance) home.set(candidate.itemId, candidate);
    }
  }
  const ordered = [...pools.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : 0));
  const kept = ordered.map((intent) => {
    const seen = new Set<string>();
    return (pools.get(intent) ?? [])
      .filter((candidate) => {
        const owner = home.get(candidate.itemId);
        const mine = intent === null ? owner === undefined : owner === candidate;
        if (!mine || seen.has(candidate.itemId)) return false;
        seen.add(candidate.itemId);
        return true;
      })
      .slice(0, perPool);
  });
  // Interleaved, best of each pool first, so a prompt that reads from the top sees every intent early.
  const merged: Pooled[] = [];
  for (let rank = 0; rank < perPool; rank += 1) {
    for (const pool of kept) {
      const candidate = pool[rank];
      if (candidate !== undefined) merged.push(candidate);
    }
  }
  return merged.map((entry) => toCandidate(entry.ranked, profile, entry.intent));
}

/**
 * A ranked hit in an intent's pool: what pools are ordered and shared out by. Most hits are not
 * offered, so the candidate, with its hint, is written only for those that are.
 */
interface Pooled {
  readonly ranked: RankedItem;
  readonly intent: string | undefined;
  readonly itemId: string;
  readonly rating: number | null;
  readonly relevance: number;
  readonly affinity: number;
}

function pooled(ranked: RankedItem, intent: string | undefined): Pooled {
  return {
    ranked,
    intent,
    itemId: ranked.item.id,
    rating: ranked.item.rating ?? null,
    relevance: ranked.breakdown.relevance,
    affinity: ranked.breakdown.affinity,
  };
}

function byRelevanceFirst(a: Pooled, b: Pooled): number {
  return (
    relevanceFirst(b) - relevanceFirst(a) ||
    (b.rating ?? -1) - (a.rating ?? -1) ||
    a.itemId.localeCompare(b.itemId)
  );
}

function toCandidate(ranked: RankedItem, profile: UserProfile, intent?: string): Candidate {
  return {
    itemId: ranked.item.id,
    title: ranked.item.title,
    category: ranked.item.category,
    tags: ranked.item.tags,
    description: ranked.item.description,
    price: ranked.item.price,
    currency: ranked.item.currency,
    rating: ranked.item.rating ?? null,
    relevance: ranked.breakdown.relevance,
    affinity: ranked.breakdown.affinity,
    matchedTerms: ranked.matchedTerms,
    hint: explainRecommendation(ranked.item, ranked.breakdown, profile, ranked.matchedTerms),
    ...(intent === undefined ? {} : { intent }),
  };
}

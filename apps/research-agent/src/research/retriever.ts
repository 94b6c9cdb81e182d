import { Inject, Injectable } from '@nestjs/common';
import { toCatalogueConstraints } from '@tributary/agent';
import {
  type Bm25Index,
  explainRecommendation,
  rerankForProfile,
  type ScoredItem,
  type UserProfile,
} from '@tributary/catalogue';
import { type Plan, type TaskRequest } from '@tributary/contracts';
import { type Candidate } from '@tributary/llm';
import { CatalogueIndex } from './catalogue-index';

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
  constructor(@Inject(CatalogueIndex) private readonly catalogue: CatalogueIndex) {}

  async candidates(
    tenantId: string,
    request: TaskRequest,
    plan: Plan,
    profile: UserProfile,
  ): Promise<Candidate[]> {
    return rankCandidates(await this.catalogue.get(tenantId), request, plan, profile);
  }
}

/** The candidates for one task from one tenant's index, best first: the retriever's decisions, without I/O. */
export function rankCandidates(
  index: Bm25Index,
  request: TaskRequest,
  plan: Plan,
  profile: UserProfile,
): Candidate[] {
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
  return rerankForProfile([...best.values()], profile, { limit }).map((ranked) => ({
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
  }));
}

import { type Bm25Index } from './bm25';
import { explainRecommendation } from './explain';
import { type RankedItem, rerankForProfile } from './personalise';
import { satisfies } from './constraints';
import { type Constraints, type ScoredItem, type UserProfile } from './types';

export interface RecommendOptions {
  readonly constraints?: Constraints;
  /** Recommendations returned; default 5. */
  readonly limit?: number;
  /** How many search hits are re-ranked; default 100. */
  readonly candidates?: number;
  readonly diversity?: number;
  readonly history?: 'exclude' | 'penalise';
}

export interface Recommendation extends RankedItem {
  readonly reason: string;
}

const DEFAULT_LIMIT = 5;
const DEFAULT_CANDIDATES = 100;

/**
 * Search, personalise, explain. When the query matches too few items (or only stopwords), the
 * rest of the catalogue that passes the constraints joins with zero relevance, so the profile alone ranks it.
 */
export function recommend(
  index: Bm25Index,
  query: string,
  profile: UserProfile,
  options: RecommendOptions = {},
): Recommendation[] {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const constraints = options.constraints ?? {};
  const hits = index.search(query, { limit: options.candidates ?? DEFAULT_CANDIDATES, filter: constraints });
  const usable =
    options.history === 'penalise' ? hits : hits.filter(({ item }) => !profile.history.includes(item.id));
  const pool = usable.length >= limit ? hits : [...hits, ...unmatched(index, hits, constraints)];
  return rerankForProfile(pool, profile, {
    diversity: options.diversity,
    limit,
    history: options.history,
  }).map((ranked) => ({
    ...ranked,
    reason: explainRecommendation(ranked.item, ranked.breakdown, profile, ranked.matchedTerms),
  }));
}

function unmatched(index: Bm25Index, hits: readonly ScoredItem[], constraints: Constraints): ScoredItem[] {
  const seen = new Set(hits.map(({ item }) => item.id));
  return index
    .all()
    .filter((item) => !seen.has(item.id) && satisfies(item, constraints))
    .map((item) => ({ item, score: 0, matchedTerms: [] }));
}

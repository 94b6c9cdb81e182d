import { compareScored, type SearchOptions } from './bm25';
import { type ScoredItem } from './types';
import { type DenseIndex } from './vectors';

/** The constant of reciprocal-rank fusion (Cormack, Clarke and Büttcher 2009): large enough that no one list's top rank dominates. */
export const RRF_K = 60;

export interface FusionOptions {
  /** Default {@link RRF_K}. */
  readonly k?: number;
  /** Maximum results; default all. */
  readonly limit?: number;
}

/**
 * Reciprocal-rank fusion: an item scores Σ 1 / (k + rank) over the rankings that hold it (rank from 1),
 * so agreement between rankings counts and no ranking's raw scores need be comparable to another's.
 * The words an item matched in any ranking are kept. Ties fall back to item id.
 */
export function reciprocalRankFusion(
  rankings: readonly (readonly ScoredItem[])[],
  options: FusionOptions = {},
): ScoredItem[] {
  const k = options.k ?? RRF_K;
  const fused = new Map<string, { item: ScoredItem['item']; score: number; matchedTerms: string[] }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, index) => {
      const entry = fused.get(hit.item.id) ?? { item: hit.item, score: 0, matchedTerms: [] };
      entry.score += 1 / (k + index + 1);
      for (const term of hit.matchedTerms)
        if (!entry.matchedTerms.includes(term)) entry.matchedTerms.push(term);
      fused.set(hit.item.id, entry);
    });
  }
  return [...fused.values()].sort(compareScored).slice(0, options.limit ?? Infinity);
}

/** A text search over the catalogue: BM25's shape, which hybrid search keeps. */
export interface TextSearch {
  search(query: string, options?: SearchOptions): ScoredItem[];
}

/**
 * BM25 and dense retrieval fused by reciprocal rank, for queries embedded beforehand (embedding is
 * a network call; search stays synchronous). Each ranking is cut at the limit asked for and then
 * fused, within the same filter. A query without a vector is answered by BM25 alone.
 */
export class HybridSearch implements TextSearch {
  constructor(
    private readonly lexical: TextSearch,
    private readonly dense: DenseIndex,
    private readonly queryVectors: ReadonlyMap<string, Float32Array>,
    private readonly k = RRF_K,
  ) {}

  search(query: string, options: SearchOptions = {}): ScoredItem[] {
    const lexical = this.lexical.search(query, options);
    const vector = this.queryVectors.get(query);
    if (vector === undefined) return lexical;
    const limit = options.limit ?? 10;
    return reciprocalRankFusion([lexical, this.dense.search(vector, { ...options, limit })], {
      k: this.k,
      limit,
    });
  }
}

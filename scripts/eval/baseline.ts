import { toCatalogueConstraints } from '@tributary/agent';
import { Bm25Index, type CatalogueItem } from '@tributary/catalogue';
import { type TaskRequest } from '@tributary/contracts';

export const BASELINE =
  'BM25 over the request’s words, within its constraints, no profile, no planner, no LLM';

/** The baseline every figure is measured against: the catalogue's BM25 search of the request alone. */
export class Bm25Baseline {
  private readonly index: Bm25Index;

  constructor(catalogue: readonly CatalogueItem[]) {
    this.index = new Bm25Index(catalogue);
  }

  answer(request: TaskRequest): { itemIds: string[]; latencyMs: number } {
    const startedAt = performance.now();
    const hits = this.index.search(request.query, {
      limit: request.maxResults,
      filter: toCatalogueConstraints(request.constraints),
    });
    return { itemIds: hits.map((hit) => hit.item.id), latencyMs: performance.now() - startedAt };
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { AGENT_CONFIG } from '@tributary/agent';
import {
  type CatalogueItem,
  catalogueVectors,
  CatalogueStore,
  CatalogueVectorStore,
  DenseIndex,
  HybridSearch,
  PerTenantCatalogue,
  type TextSearch,
  type VectorStore,
} from '@tributary/catalogue';
import { type TributaryConfig } from '@tributary/config';
import { createEmbeddings, type TextEmbedder } from '@tributary/llm';
import { errorMessage, MONGO_CONNECTION } from '@tributary/platform';
import { type Connection } from 'mongoose';

/** Where the catalogue's vectors are kept: the store in the services, memory in the eval harness. */
export const VECTOR_STORE = Symbol('VECTOR_STORE');

export const vectorStoreProvider = {
  provide: VECTOR_STORE,
  useFactory: (connection: Connection): VectorStore => new CatalogueVectorStore(connection),
  inject: [MONGO_CONNECTION],
};

/**
 * Hybrid retrieval when an embeddings endpoint is configured: BM25 and dense vectors fused by
 * reciprocal rank. Each tenant's item vectors are computed once and stored (again only for items whose
 * text changed, or for another model), read with the catalogue's refresh. Without an endpoint, or
 * while it fails, search is BM25 alone: the request is still answered, and the log says why.
 */
@Injectable()
export class HybridRetrieval {
  private readonly logger = new Logger('Retrieval');
  private readonly embedder: TextEmbedder | undefined;
  private readonly rrfK: number;
  private readonly vectors: VectorStore;
  private readonly items: PerTenantCatalogue<readonly CatalogueItem[]>;
  /** The dense index of each catalogue read: a refreshed read builds anew (from the store, mostly). */
  private readonly dense = new WeakMap<readonly CatalogueItem[], Promise<DenseIndex>>();

  constructor(
    @Inject(AGENT_CONFIG) config: TributaryConfig,
    @Inject(CatalogueStore) catalogue: CatalogueStore,
    @Inject(VECTOR_STORE) vectors: VectorStore,
  ) {
    this.embedder = createEmbeddings(config.embeddings, this.logger);
    this.rrfK = config.embeddings.rrfK;
    this.items = new PerTenantCatalogue(catalogue, (items) => items);
    this.vectors = vectors;
  }

  private async denseIndex(tenantId: string, embedder: TextEmbedder): Promise<DenseIndex> {
    const items = await this.items.get(tenantId);
    let dense = this.dense.get(items);
    if (dense === undefined) {
      dense = catalogueVectors(tenantId, items, this.vectors, embedder).then(({ vectors, embedded }) => {
        this.logger.log(
          `catalogue vectors of ${tenantId} (${embedder.model}): ${embedded} embedded, ${items.length - embedded} from the store`,
        );
        return new DenseIndex(items, vectors);
      });
      // A failed build is not kept: the next task tries again.
      dense.catch(() => this.dense.delete(items));
      this.dense.set(items, dense);
    }
    return dense;
  }

  /** A search over a tenant's catalogue for these queries: `bm25` fused with dense vectors when configured. */
  async searchFor(tenantId: string, bm25: TextSearch, queries: readonly string[]): Promise<TextSearch> {
    const embedder = this.embedder;
    if (embedder === undefined) return bm25;
    try {
      const texts = [...new Set(queries)];
      const [dense, vectors] = await Promise.all([
        this.denseIndex(tenantId, embedder),
        embedder.embedQueries(texts),
      ]);
      return new HybridSearch(
        bm25,
        dense,
        new Map(texts.map((text, i) => [text, vectors[i] ?? new Float32Array()])),
        this.rrfK,
      );
    } catch (error) {
      this.logger.warn(`hybrid retrieval unavailable, BM25 alone for this task: ${errorMessage(error)}`);
      return bm25;
    }
  }
}

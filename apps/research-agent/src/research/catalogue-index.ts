import { Inject, Injectable } from '@nestjs/common';
import { Bm25Index, CatalogueStore } from '@tributary/catalogue';

/** How long a tenant's in-memory index is trusted before the catalogue is read again. */
const REFRESH_MS = 5 * 60_000;

/** A BM25 index per tenant over its catalogue in MongoDB, built on first use and refreshed periodically. */
@Injectable()
export class CatalogueIndex {
  private readonly indexes = new Map<string, { index: Promise<Bm25Index>; builtAt: number }>();

  constructor(@Inject(CatalogueStore) private readonly store: CatalogueStore) {}

  get(tenantId: string): Promise<Bm25Index> {
    const cached = this.indexes.get(tenantId);
    if (cached && Date.now() - cached.builtAt < REFRESH_MS) return cached.index;
    const index = this.store.all(tenantId).then((items) => new Bm25Index(items));
    // A failed read must not be cached.
    index.catch(() => this.indexes.delete(tenantId));
    this.indexes.set(tenantId, { index, builtAt: Date.now() });
    return index;
  }
}

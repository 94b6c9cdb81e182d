import { Inject, Injectable } from '@nestjs/common';
import { Bm25Index, CatalogueStore, PerTenantCatalogue } from '@tributary/catalogue';

/** A BM25 index per tenant over its catalogue in MongoDB, built on first use and refreshed periodically. */
@Injectable()
export class CatalogueIndex {
  private readonly indexes: PerTenantCatalogue<Bm25Index>;

  constructor(@Inject(CatalogueStore) store: CatalogueStore) {
    this.indexes = new PerTenantCatalogue(store, (items) => new Bm25Index(items));
  }

  get(tenantId: string): Promise<Bm25Index> {
    return this.indexes.get(tenantId);
  }
}

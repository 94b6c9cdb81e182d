import { Inject, Injectable } from '@nestjs/common';
import { type CatalogueItem, CatalogueStore, PerTenantCatalogue } from '@tributary/catalogue';

/**
 * The catalogue items a draft names, looked up in a per-tenant copy of the catalogue held in memory
 * (refreshed like the research agent's index) instead of one read per item. An id the copy lacks is
 * read from the store, so an item added since the copy was taken is still found.
 */
@Injectable()
export class CatalogueItems {
  private readonly byTenant: PerTenantCatalogue<ReadonlyMap<string, CatalogueItem>>;

  constructor(@Inject(CatalogueStore) private readonly store: CatalogueStore) {
    this.byTenant = new PerTenantCatalogue(store, (items) => new Map(items.map((item) => [item.id, item])));
  }

  /** The tenant's whole catalogue as held in memory, by id. */
  all(tenantId: string): Promise<ReadonlyMap<string, CatalogueItem>> {
    return this.byTenant.get(tenantId);
  }

  /** The items that exist, by id; unknown ids are left out. */
  async byIds(tenantId: string, ids: readonly string[]): Promise<ReadonlyMap<string, CatalogueItem>> {
    const copy = await this.byTenant.get(tenantId);
    const found = new Map<string, CatalogueItem>();
    const missing: string[] = [];
    for (const id of ids) {
      const item = copy.get(id);
      if (item) found.set(id, item);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const item of await this.store.byIds(tenantId, missing)) found.set(item.id, item);
    }
    return found;
  }
}

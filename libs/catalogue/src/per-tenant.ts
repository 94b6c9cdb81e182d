import { type CatalogueStore } from './store';
import { type CatalogueItem } from './types';

/** How long a tenant's catalogue held in memory is trusted before it is read again. */
export const CATALOGUE_REFRESH_MS = 5 * 60_000;

/**
 * Per tenant, something built from its whole catalogue (a search index, a lookup by id): read on
 * first use and again once it is `refreshMs` old. Concurrent callers share one read; a failed read
 * is not kept, so the next call tries again.
 */
export class PerTenantCatalogue<T> {
  private readonly built = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly store: CatalogueStore,
    private readonly build: (items: CatalogueItem[]) => T,
    private readonly refreshMs = CATALOGUE_REFRESH_MS,
  ) {}

  get(tenantId: string): Promise<T> {
    const cached = this.built.get(tenantId);
    if (cached && Date.now() - cached.at < this.refreshMs) return cached.value;
    const value = this.store.all(tenantId).then(this.build);
    value.catch(() => this.built.delete(tenantId));
    this.built.set(tenantId, { value, at: Date.now() });
    return value;
  }
}

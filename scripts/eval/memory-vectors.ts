import { type ItemVector, type VectorStore } from '@tributary/catalogue';

/** Catalogue vectors in memory: what the catalogue_vectors collection holds for the services. */
export class MemoryVectorStore implements VectorStore {
  private readonly byKey = new Map<string, Map<string, ItemVector>>();

  load(tenantId: string, model: string): Promise<ItemVector[]> {
    return Promise.resolve([...(this.byKey.get(`${tenantId}\u0000${model}`)?.values() ?? [])]);
  }

  save(tenantId: string, model: string, vectors: readonly ItemVector[]): Promise<void> {
    const key = `${tenantId}\u0000${model}`;
    const stored = this.byKey.get(key) ?? new Map<string, ItemVector>();
    for (const vector of vectors) stored.set(vector.itemId, vector);
    this.byKey.set(key, stored);
    return Promise.resolve();
  }
}

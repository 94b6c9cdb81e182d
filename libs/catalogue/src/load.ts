import { join } from 'node:path';
import { type Connection } from 'mongoose';
import { loadCatalogueFile, loadProfilesFile } from './parse';
import { CatalogueStore, ProfileStore } from './store';
import { type CatalogueItem, type UserProfile } from './types';

export interface LoadDataOptions {
  readonly connection: Connection;
  readonly tenantId: string;
  readonly catalogueFile: string;
  readonly profilesFile: string;
  /** Load only into an empty store (first start). */
  readonly ifEmpty: boolean;
}

export interface LoadDataResult {
  readonly items: number;
  readonly profiles: number;
  readonly skipped: boolean;
}

export function defaultDataFiles(dataDir: string): { catalogueFile: string; profilesFile: string } {
  return { catalogueFile: join(dataDir, 'catalogue.jsonl'), profilesFile: join(dataDir, 'profiles.jsonl') };
}

/**
 * Validates both files completely before writing anything, then upserts (safe to run again).
 * With `ifEmpty`, nothing is written when every profile and the catalogue's items are already stored.
 */
export async function loadData(options: LoadDataOptions): Promise<LoadDataResult> {
  const catalogue = new CatalogueStore(options.connection);
  const profiles = new ProfileStore(options.connection);
  const [items, users] = await Promise.all([
    loadCatalogueFile(options.catalogueFile),
    loadProfilesFile(options.profilesFile),
  ]);
  await Promise.all([catalogue.model.init(), profiles.model.init()]);
  if (options.ifEmpty && (await isLoaded(catalogue, profiles, options.tenantId, items, users))) {
    return { items: 0, profiles: 0, skipped: true };
  }
  await catalogue.upsertMany(options.tenantId, items);
  await profiles.upsertMany(options.tenantId, users);
  return { items: items.length, profiles: users.length, skipped: false };
}

async function isLoaded(
  catalogue: CatalogueStore,
  profiles: ProfileStore,
  tenantId: string,
  items: readonly CatalogueItem[],
  users: readonly UserProfile[],
): Promise<boolean> {
  const stored = await Promise.all(users.map((user) => profiles.get(tenantId, user.userId)));
  if (stored.some((profile) => profile === null)) return false;
  return catalogue.hasAll(
    tenantId,
    [items[0]?.id, items[items.length - 1]?.id].filter((id): id is string => !!id),
  );
}

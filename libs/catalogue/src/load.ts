import { join } from 'node:path';
import { type Connection } from 'mongoose';
import { loadCatalogueFile, loadProfilesFile } from './parse';
import { CatalogueStore, ProfileStore } from './store';

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

/** Validates both files completely before writing anything, then upserts (safe to run again). */
export async function loadData(options: LoadDataOptions): Promise<LoadDataResult> {
  const catalogue = new CatalogueStore(options.connection);
  const profiles = new ProfileStore(options.connection);
  await Promise.all([catalogue.model.init(), profiles.model.init()]);
  if (
    options.ifEmpty &&
    (await catalogue.count(options.tenantId)) > 0 &&
    (await profiles.count(options.tenantId)) > 0
  ) {
    return { items: 0, profiles: 0, skipped: true };
  }
  const [items, users] = await Promise.all([
    loadCatalogueFile(options.catalogueFile),
    loadProfilesFile(options.profilesFile),
  ]);
  await catalogue.upsertMany(options.tenantId, items);
  await profiles.upsertMany(options.tenantId, users);
  return { items: items.length, profiles: users.length, skipped: false };
}

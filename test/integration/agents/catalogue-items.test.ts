import { type CatalogueItem, CatalogueStore, ProfileStore, storedId } from '@tributary/catalogue';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogueItems } from '../../../apps/reviewer-agent/src/review/catalogue-items';

const config = testConfig('reviewer-agent');
let mongo: Connection;

function item(id: string, title: string): CatalogueItem {
  return {
    id,
    title,
    category: 'books',
    tags: [],
    description: title,
    price: 10,
    currency: 'EUR',
    attributes: {},
  };
}

beforeAll(async () => {
  const uri = new URL(config.mongoUri);
  uri.pathname = `/${uniqueName('catalogue_items').replace(/\W/g, '_')}`;
  mongo = await connectMongo(uri.toString());
});

afterAll(async () => {
  await mongo.dropDatabase();
  await mongo.close();
});

describe("the reviewer's catalogue lookups", () => {
  it('finds items from its copy, an item added since the copy from the store, and leaves unknown ids out', async () => {
    const store = new CatalogueStore(mongo);
    await store.upsertMany('acme', [item('b-1', 'Dune'), item('b-2', 'Emma')]);
    const items = new CatalogueItems(store);
    const first = await items.byIds('acme', ['b-1', 'b-2']);
    expect([...first.keys()]).toEqual(['b-1', 'b-2']);
    expect(first.get('b-2')?.title).toBe('Emma');

    await store.upsertMany('acme', [item('b-3', 'Ubik')]);
    const later = await items.byIds('acme', ['b-3', 'b-1', 'nope']);
    expect(later.get('b-3')?.title).toBe('Ubik');
    expect(later.get('b-1')?.title).toBe('Dune');
    expect(later.has('nope')).toBe(false);
  });

  it('keeps tenants apart', async () => {
    const store = new CatalogueStore(mongo);
    await store.upsertMany('globex', [item('g-1', 'Solaris')]);
    const items = new CatalogueItems(store);
    expect((await items.byIds('globex', ['g-1'])).has('g-1')).toBe(true);
    expect((await items.byIds('acme', ['g-1'])).has('g-1')).toBe(false);
  });
});

describe('loading the catalogue and profiles again', () => {
  it('replaces records an older version stored under generated ids instead of failing on the duplicate', async () => {
    const catalogue = new CatalogueStore(mongo);
    const profiles = new ProfileStore(mongo);
    await catalogue.model.init();
    await profiles.model.init();
    // As the first loader stored them: generated _id, same tenant and id.
    await catalogue.model.collection.insertOne({ ...item('o-1', 'Old title'), tenantId: 'initech' });
    await profiles.model.collection.insertOne({
      userId: 'u-old',
      displayName: 'Old',
      interests: {},
      preferredCategories: [],
      dislikedTags: [],
      history: [],
      tenantId: 'initech',
    });

    await catalogue.upsertMany('initech', [item('o-1', 'New title')]);
    await profiles.upsertMany('initech', [
      {
        userId: 'u-old',
        displayName: 'New',
        interests: {},
        preferredCategories: [],
        dislikedTags: [],
        history: [],
      },
    ]);

    const items = await catalogue.model.collection.find({ tenantId: 'initech' }).toArray();
    expect(items.map((d) => [d._id, d.title as unknown])).toEqual([
      [storedId('initech', 'o-1'), 'New title'],
    ]);
    const users = await profiles.model.collection.find({ tenantId: 'initech' }).toArray();
    expect(users.map((d) => [d._id, d.displayName as unknown])).toEqual([
      [storedId('initech', 'u-old'), 'New'],
    ]);
  });
});

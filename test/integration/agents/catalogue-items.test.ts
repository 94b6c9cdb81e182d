import { type CatalogueItem, CatalogueStore } from '@tributary/catalogue';
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

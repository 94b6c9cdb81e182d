import { describe, expect, it } from 'vitest';
import { makeItem } from '@tributary/testing/catalogue/fixtures';
import {
  catalogueVectors,
  DenseIndex,
  type DocumentEmbedder,
  itemText,
  type ItemVector,
  textHash,
  type VectorStore,
} from './vectors';

/** Vectors kept in a map, as the store keeps them per tenant and model. */
class MapStore implements VectorStore {
  readonly saved = new Map<string, ItemVector>();
  load(tenantId: string, model: string): Promise<ItemVector[]> {
    const prefix = `${tenantId}|${model}|`;
    return Promise.resolve([...this.saved].filter(([key]) => key.startsWith(prefix)).map(([, v]) => v));
  }
  save(tenantId: string, model: string, vectors: readonly ItemVector[]): Promise<void> {
    for (const vector of vectors) this.saved.set(`${tenantId}|${model}|${vector.itemId}`, vector);
    return Promise.resolve();
  }
}

/** Embeds a text as [its length, 1] and remembers what it was asked. */
class CountingEmbedder implements DocumentEmbedder {
  readonly asked: string[] = [];
  constructor(readonly model: string) {}
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    this.asked.push(...texts);
    return Promise.resolve(texts.map((text) => Float32Array.of(text.length, 1)));
  }
}

describe('catalogueVectors', () => {
  const items = [makeItem({ id: 'a', title: 'Tent' }), makeItem({ id: 'b', title: 'Sleeping bag' })];

  it('embeds every item once, then answers from the store', async () => {
    const store = new MapStore();
    const embedder = new CountingEmbedder('m1');
    const first = await catalogueVectors('t1', items, store, embedder);
    expect(first.embedded).toBe(2);
    expect(embedder.asked).toEqual(items.map(itemText));
    const again = await catalogueVectors('t1', items, store, embedder);
    expect(again.embedded).toBe(0);
    expect(embedder.asked).toHaveLength(2);
    expect([...again.vectors.keys()].sort()).toEqual(['a', 'b']);
    expect(again.vectors.get('a')).toEqual(first.vectors.get('a'));
  });

  it('embeds again only the items whose text changed', async () => {
    const store = new MapStore();
    await catalogueVectors('t1', items, store, new CountingEmbedder('m1'));
    const embedder = new CountingEmbedder('m1');
    const changed = [
      items[0] as ReturnType<typeof makeItem>,
      makeItem({ id: 'b', title: 'Down sleeping bag' }),
    ];
    const result = await catalogueVectors('t1', changed, store, embedder);
    expect(result.embedded).toBe(1);
    expect(embedder.asked).toEqual([itemText(changed[1] as ReturnType<typeof makeItem>)]);
    expect(store.saved.get('t1|m1|b')?.textHash).toBe(textHash(embedder.asked[0] ?? ''));
  });

  it('keeps vectors per model and per tenant', async () => {
    const store = new MapStore();
    await catalogueVectors('t1', items, store, new CountingEmbedder('m1'));
    expect((await catalogueVectors('t1', items, store, new CountingEmbedder('m2'))).embedded).toBe(2);
    expect((await catalogueVectors('t2', items, store, new CountingEmbedder('m1'))).embedded).toBe(2);
    expect((await catalogueVectors('t1', items, store, new CountingEmbedder('m1'))).embedded).toBe(0);
  });
});

describe('DenseIndex', () => {
  const items = [
    makeItem({ id: 'north', category: 'outdoor' }),
    makeItem({ id: 'east', category: 'books' }),
    makeItem({ id: 'north-east', category: 'books' }),
    makeItem({ id: 'no-vector' }),
  ];
  const index = new DenseIndex(
    items,
    new Map([
      ['north', Float32Array.of(0, 10)],
      ['east', Float32Array.of(3, 0)],
      ['north-east', Float32Array.of(1, 1)],
    ]),
  );

  it('ranks by cosine similarity, whatever the vectors’ lengths', () => {
    const hits = index.search(Float32Array.of(0, 0.5), { limit: 5 });
    expect(hits.map((hit) => hit.item.id)).toEqual(['north', 'north-east', 'east']);
    expect(hits[0]?.score).toBeCloseTo(1, 6);
    expect(hits[1]?.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(hits[2]?.score).toBeCloseTo(0, 6);
  });

  it('leaves out items without a vector and those the filter refuses, and stops at the limit', () => {
    expect(index.size).toBe(3);
    const books = index.search(Float32Array.of(0, 1), { filter: { categories: ['books'] } });
    expect(books.map((hit) => hit.item.id)).toEqual(['north-east', 'east']);
    expect(index.search(Float32Array.of(0, 1), { limit: 1 })).toHaveLength(1);
  });

  it('keeps the best within the limit, equal similarities by item id', () => {
    const twins = new DenseIndex(
      ['d', 'b', 'e', 'a', 'c'].map((id) => makeItem({ id })),
      new Map([
        ['d', Float32Array.of(1, 0)],
        ['b', Float32Array.of(2, 0)],
        ['e', Float32Array.of(0, 1)],
        ['a', Float32Array.of(0, 3)],
        ['c', Float32Array.of(5, 0)],
      ]),
    );
    const found = (limit: number): string[] =>
      twins.search(Float32Array.of(1, 0), { limit }).map((hit) => hit.item.id);
    expect(found(10)).toEqual(['b', 'c', 'd', 'a', 'e']);
    expect(found(2)).toEqual(['b', 'c']);
    expect(found(4)).toEqual(['b', 'c', 'd', 'a']);
    expect(found(0)).toEqual([]);
  });
});

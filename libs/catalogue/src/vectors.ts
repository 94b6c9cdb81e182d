import { createHash } from 'node:crypto';
import { modelOn } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';
import { type SearchOptions, topScored } from './bm25';
import { satisfies } from './constraints';
import { storedId } from './store';
import { type CatalogueItem, type ScoredItem } from './types';

/** What the catalogue needs of an embeddings model: the libs/llm client is one. */
export interface DocumentEmbedder {
  /** Stored vectors are keyed by it: another model means other vectors. */
  readonly model: string;
  /** One vector per text, in order. */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
}

/** An item's vector, with the hash of the text it was computed from. */
export interface ItemVector {
  readonly itemId: string;
  readonly textHash: string;
  readonly vector: Float32Array;
}

/** Where item vectors are kept, per tenant and model. */
export interface VectorStore {
  load(tenantId: string, model: string): Promise<ItemVector[]>;
  save(tenantId: string, model: string, vectors: readonly ItemVector[]): Promise<void>;
}

/** The text an item is embedded from: what a shopper reads of it. */
export function itemText(item: CatalogueItem): string {
  const tags = item.tags.map((tag) => tag.replace(/-/g, ' ')).join(', ');
  return `${item.title}. ${item.category.replace(/-/g, ' ')}: ${tags}. ${item.description}`;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface StoredVector {
  _id: string;
  tenantId: string;
  model: string;
  itemId: string;
  textHash: string;
  /** Little-endian float32, the vector's length times 4 bytes. */
  vector: Buffer;
}

/** A stored vector as a lean read returns it. */
type LeanVector = Omit<StoredVector, 'vector'> & { vector: Uint8Array | { value(): Uint8Array } };

const vectorSchema = new Schema<StoredVector>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    model: { type: String, required: true },
    itemId: { type: String, required: true },
    textHash: { type: String, required: true },
    vector: { type: Buffer, required: true },
  },
  { versionKey: false },
);
// Serves load(tenantId, model): an agent reads a tenant's vectors when it builds its dense index.
vectorSchema.index({ tenantId: 1, model: 1 });

function toBuffer(vector: Float32Array): Buffer {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes;
}

function fromBuffer(bytes: Uint8Array | { value(): Uint8Array }): Float32Array {
  // A lean read hands back the driver's BSON Binary rather than a Buffer.
  const raw = Buffer.from(bytes instanceof Uint8Array ? bytes : bytes.value());
  const vector = new Float32Array(raw.length / 4);
  for (let i = 0; i < vector.length; i += 1) vector[i] = raw.readFloatLE(i * 4);
  return vector;
}

/** Item vectors in MongoDB, one document per tenant, model and item, keyed `<tenant>:<model>:<item>`. */
export class CatalogueVectorStore implements VectorStore {
  readonly model: Model<StoredVector>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'CatalogueVector', vectorSchema, 'catalogue_vectors');
  }

  async load(tenantId: string, model: string): Promise<ItemVector[]> {
    const docs = await this.model.find({ tenantId, model }).lean<LeanVector[]>();
    return docs.map((doc) => ({
      itemId: doc.itemId,
      textHash: doc.textHash,
      vector: fromBuffer(doc.vector),
    }));
  }

  async save(tenantId: string, model: string, vectors: readonly ItemVector[]): Promise<void> {
    if (vectors.length === 0) return;
    await this.model.bulkWrite(
      vectors.map(({ itemId, textHash, vector }) => {
        const _id = storedId(tenantId, `${model}:${itemId}`);
        return {
          replaceOne: {
            filter: { _id },
            replacement: { _id, tenantId, model, itemId, textHash, vector: toBuffer(vector) },
            upsert: true,
          },
        };
      }),
      { ordered: false },
    );
  }
}

export interface CatalogueVectors {
  /** Item id → vector, for every item given. */
  readonly vectors: Map<string, Float32Array>;
  /** How many were computed now (the rest came from the store). */
  readonly embedded: number;
}

/**
 * The vector of every item, computed once: an item whose stored vector was made by this model from
 * its current text reuses it; the others (new items, changed text, another model) are embedded and
 * stored. Two agents that do this at once store the same vectors twice, harmlessly.
 */
export async function catalogueVectors(
  tenantId: string,
  items: readonly CatalogueItem[],
  store: VectorStore,
  embedder: DocumentEmbedder,
): Promise<CatalogueVectors> {
  const stored = new Map((await store.load(tenantId, embedder.model)).map((entry) => [entry.itemId, entry]));
  const vectors = new Map<string, Float32Array>();
  const missing: { itemId: string; text: string; textHash: string }[] = [];
  for (const item of items) {
    const text = itemText(item);
    const hash = textHash(text);
    const entry = stored.get(item.id);
    if (entry !== undefined && entry.textHash === hash) vectors.set(item.id, entry.vector);
    else missing.push({ itemId: item.id, text, textHash: hash });
  }
  if (missing.length > 0) {
    const computed = await embedder.embedDocuments(missing.map((entry) => entry.text));
    const fresh = missing.map((entry, i) => ({
      itemId: entry.itemId,
      textHash: entry.textHash,
      vector: computed[i] ?? new Float32Array(),
    }));
    await store.save(tenantId, embedder.model, fresh);
    for (const entry of fresh) vectors.set(entry.itemId, entry.vector);
  }
  return { vectors, embedded: missing.length };
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

/** Exact nearest neighbours by cosine similarity: a catalogue of thousands needs no ANN index. */
export class DenseIndex {
  private readonly entries: { item: CatalogueItem; vector: Float32Array }[];

  /** Items without a vector are left out. */
  constructor(items: readonly CatalogueItem[], vectors: ReadonlyMap<string, Float32Array>) {
    this.entries = items.flatMap((item) => {
      const vector = vectors.get(item.id);
      return vector === undefined || vector.length === 0 ? [] : [{ item, vector: unit(vector) }];
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every item the filter accepts, most similar first (cosine as the score), up to `limit` (default 10). */
  search(query: Float32Array, options: SearchOptions = {}): ScoredItem[] {
    const limit = options.limit ?? 10;
    const filter = options.filter;
    const accepts =
      filter === undefined
        ? () => true
        : typeof filter === 'function'
          ? filter
          : (item: CatalogueItem) => satisfies(item, filter);
    const q = unit(query);
    const scored: ScoredItem[] = [];
    for (const { item, vector } of this.entries) {
      if (vector.length !== q.length || !accepts(item)) continue;
      let dot = 0;
      for (let i = 0; i < q.length; i += 1) dot += (q[i] ?? 0) * (vector[i] ?? 0);
      scored.push({ item, score: dot, matchedTerms: [] });
    }
    return topScored(
      scored,
      Math.max(0, limit),
      (a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
    );
  }
}

import { modelOn } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';
import { type CatalogueItem, type UserProfile } from './types';

type Stored<T> = T & { _id: string; tenantId: string };

/*
 * Documents are keyed `<tenantId>:<natural id>` in `_id`. Every lookup on a hot path (a profile per
 * task step, the items of a draft) is then an exact `_id` match, the one filter the local store
 * (FerretDB 1.x on SQLite) answers from an index instead of scanning the collection.
 */
export function storedId(tenantId: string, id: string): string {
  return `${tenantId}:${id}`;
}

const itemSchema = new Schema<Stored<CatalogueItem>>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    id: { type: String, required: true },
    title: { type: String, required: true },
    category: { type: String, required: true },
    tags: { type: [String], required: true },
    description: { type: String, required: true },
    price: { type: Number, required: true },
    currency: { type: String, required: true },
    rating: { type: Number },
    attributes: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
// Serves all(tenantId) when an agent builds its search index, and count(tenantId).
itemSchema.index({ tenantId: 1, id: 1 });

const profileSchema = new Schema<Stored<UserProfile>>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    displayName: { type: String, required: true },
    interests: { type: Schema.Types.Mixed, default: {} },
    preferredCategories: { type: [String], default: [] },
    dislikedTags: { type: [String], default: [] },
    budget: { type: new Schema({ max: Number, currency: String }, { _id: false }), required: false },
    history: { type: [String], default: [] },
  },
  { versionKey: false, minimize: false },
);
// Serves count(tenantId).
profileSchema.index({ tenantId: 1 });

function strip<T>(doc: Stored<T>): T {
  const { _id, tenantId, ...rest } = doc;
  void _id;
  void tenantId;
  return rest as T;
}

/** Catalogue items in MongoDB, per tenant. */
export class CatalogueStore {
  readonly model: Model<Stored<CatalogueItem>>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'CatalogueItem', itemSchema, 'catalogue_items');
  }

  async count(tenantId: string): Promise<number> {
    return this.model.countDocuments({ tenantId });
  }

  async all(tenantId: string): Promise<CatalogueItem[]> {
    const docs = await this.model.find({ tenantId }).sort({ id: 1 }).lean<Stored<CatalogueItem>[]>();
    return docs.map((doc) => strip(doc));
  }

  /** The items that exist, in the order asked; unknown ids are left out. */
  async byIds(tenantId: string, ids: readonly string[]): Promise<CatalogueItem[]> {
    const docs = await Promise.all(
      [...new Set(ids)].map((id) =>
        this.model.findById(storedId(tenantId, id)).lean<Stored<CatalogueItem>>(),
      ),
    );
    return docs.filter((doc): doc is Stored<CatalogueItem> => doc !== null).map((doc) => strip(doc));
  }

  async upsertMany(tenantId: string, items: readonly CatalogueItem[]): Promise<number> {
    if (items.length === 0) return 0;
    await dropOtherKeys(
      this.model,
      tenantId,
      'id',
      items.map((item) => item.id),
    );
    const result = await this.model.bulkWrite(
      items.map((item) => {
        const _id = storedId(tenantId, item.id);
        return { replaceOne: { filter: { _id }, replacement: { ...item, _id, tenantId }, upsert: true } };
      }),
      { ordered: false },
    );
    return result.upsertedCount + result.modifiedCount;
  }

  /** Whether every one of these items is stored under its current key. */
  async hasAll(tenantId: string, ids: readonly string[]): Promise<boolean> {
    return (await this.byIds(tenantId, ids)).length === new Set(ids).size;
  }
}

/**
 * Removes copies of these records stored under another `_id` than `storedId(tenant, id)` (data loaded
 * by an older version, keyed by generated ids): the upsert by `_id` would otherwise insert a second
 * copy and fail on the unique (tenant, id) index. A filter on other fields than `_id`, so FerretDB
 * scans: fine for a loader, never on a request path.
 */
async function dropOtherKeys<T>(
  model: Model<Stored<T>>,
  tenantId: string,
  field: 'id' | 'userId',
  ids: readonly string[],
): Promise<void> {
  const keys = ids.map((id) => storedId(tenantId, id));
  await model.deleteMany({ tenantId, [field]: { $in: [...ids] }, _id: { $nin: keys } } as Record<
    string,
    unknown
  >);
}

/** User profiles in MongoDB, per tenant. */
export class ProfileStore {
  readonly model: Model<Stored<UserProfile>>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'UserProfile', profileSchema, 'user_profiles');
  }

  async get(tenantId: string, userId: string): Promise<UserProfile | null> {
    const doc = await this.model.findById(storedId(tenantId, userId)).lean<Stored<UserProfile>>();
    return doc ? strip(doc) : null;
  }

  async count(tenantId: string): Promise<number> {
    return this.model.countDocuments({ tenantId });
  }

  async upsertMany(tenantId: string, profiles: readonly UserProfile[]): Promise<number> {
    if (profiles.length === 0) return 0;
    await dropOtherKeys(
      this.model,
      tenantId,
      'userId',
      profiles.map((profile) => profile.userId),
    );
    const result = await this.model.bulkWrite(
      profiles.map((profile) => {
        const _id = storedId(tenantId, profile.userId);
        return { replaceOne: { filter: { _id }, replacement: { ...profile, _id, tenantId }, upsert: true } };
      }),
      { ordered: false },
    );
    return result.upsertedCount + result.modifiedCount;
  }
}

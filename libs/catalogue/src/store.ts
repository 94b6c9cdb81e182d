import { modelOn } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';
import { type CatalogueItem, type UserProfile } from './types';

type Tenanted<T> = T & { tenantId: string };

const itemSchema = new Schema<Tenanted<CatalogueItem>>(
  {
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
// Serves itemsByIds(tenantId, ids) and keeps one copy of an item per tenant.
itemSchema.index({ tenantId: 1, id: 1 }, { unique: true });

const profileSchema = new Schema<Tenanted<UserProfile>>(
  {
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
// Serves get(tenantId, userId): every task submission and every agent step looks the user up.
profileSchema.index({ tenantId: 1, userId: 1 }, { unique: true });

function strip<T>(doc: Tenanted<T> & { _id?: unknown }): T {
  const { _id, tenantId, ...rest } = doc;
  void _id;
  void tenantId;
  return rest as T;
}

/** Catalogue items in MongoDB, per tenant. */
export class CatalogueStore {
  readonly model: Model<Tenanted<CatalogueItem>>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'CatalogueItem', itemSchema, 'catalogue_items');
  }

  async count(tenantId: string): Promise<number> {
    return this.model.countDocuments({ tenantId });
  }

  async all(tenantId: string): Promise<CatalogueItem[]> {
    const docs = await this.model.find({ tenantId }).sort({ id: 1 }).lean();
    return docs.map((doc) => strip<CatalogueItem>(doc));
  }

  async byIds(tenantId: string, ids: readonly string[]): Promise<CatalogueItem[]> {
    const docs = await this.model.find({ tenantId, id: { $in: [...ids] } }).lean();
    return docs.map((doc) => strip<CatalogueItem>(doc));
  }

  async upsertMany(tenantId: string, items: readonly CatalogueItem[]): Promise<number> {
    if (items.length === 0) return 0;
    const result = await this.model.bulkWrite(
      items.map((item) => ({
        replaceOne: { filter: { tenantId, id: item.id }, replacement: { ...item, tenantId }, upsert: true },
      })),
      { ordered: false },
    );
    return result.upsertedCount + result.modifiedCount;
  }
}

/** User profiles in MongoDB, per tenant. */
export class ProfileStore {
  readonly model: Model<Tenanted<UserProfile>>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'UserProfile', profileSchema, 'user_profiles');
  }

  async get(tenantId: string, userId: string): Promise<UserProfile | null> {
    const doc = await this.model.findOne({ tenantId, userId }).lean();
    return doc ? strip<UserProfile>(doc) : null;
  }

  async count(tenantId: string): Promise<number> {
    return this.model.countDocuments({ tenantId });
  }

  async upsertMany(tenantId: string, profiles: readonly UserProfile[]): Promise<number> {
    if (profiles.length === 0) return 0;
    const result = await this.model.bulkWrite(
      profiles.map((profile) => ({
        replaceOne: {
          filter: { tenantId, userId: profile.userId },
          replacement: { ...profile, tenantId },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return result.upsertedCount + result.modifiedCount;
  }
}

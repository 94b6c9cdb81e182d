import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { type TenantId } from '../task/tenant';
import { API_KEY_COLLECTION } from './collections';
import { type Scope } from './scopes';

export interface ApiKeyDocument {
  /** The key id: the public part of the key. */
  _id: string;
  tenantId: string;
  scopes: Scope[];
  name: string;
  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export type ApiKeyRecord = Omit<ApiKeyDocument, '_id' | 'secretHash'> & { keyId: string };

function toRecord({ _id, secretHash: _hash, ...rest }: ApiKeyDocument): ApiKeyRecord {
  return { keyId: _id, ...rest };
}

/**
 * The `api_keys` collection. Authenticating a request is one read by `_id` (the key id is part of the
 * key); listing a tenant's keys is an administrative command and may filter on `tenantId`.
 */
@Injectable()
export class ApiKeyRepository {
  constructor(@Inject(API_KEY_COLLECTION) private readonly keys: Collection<ApiKeyDocument>) {}

  async ensureIndexes(): Promise<void> {
    // The key listing of one tenant (the CLI's `list`).
    await this.keys.createIndex({ tenantId: 1, createdAt: -1 });
  }

  async insert(document: ApiKeyDocument): Promise<void> {
    await this.keys.insertOne(document);
  }

  /** The key with this id, of any tenant (the secret check decides), or null. */
  async findForAuthentication(keyId: string): Promise<ApiKeyDocument | null> {
    return this.keys.findOne({ _id: keyId });
  }

  async list(tenant: TenantId): Promise<ApiKeyRecord[]> {
    const documents = await this.keys.find({ tenantId: tenant }).sort({ createdAt: -1 }).toArray();
    return documents.map(toRecord);
  }

  /** Marks the key revoked; false when the tenant has no such key. Already-revoked keys stay as they were. */
  async revoke(tenant: TenantId, keyId: string, at: Date): Promise<boolean> {
    const document = await this.keys.findOne({ _id: keyId });
    if (document?.tenantId !== tenant) return false;
    if (document.revokedAt === null) await this.keys.updateOne({ _id: keyId }, { $set: { revokedAt: at } });
    return true;
  }
}

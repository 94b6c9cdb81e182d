import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { type TenantId } from '../task/tenant';
import { IDEMPOTENCY_COLLECTION } from './collections';

export interface IdempotencyDocument {
  /** `<tenantId>:<Idempotency-Key>`. */
  _id: string;
  tenantId: string;
  /** SHA-256 of the normalised request body. */
  fingerprint: string;
  /** Minted when the key is first claimed: every retry answers with this task. */
  taskId: string;
  /** `unconfirmed`: the first attempt answered 503; a retry resumes the same task. */
  state: 'pending' | 'done' | 'unconfirmed';
  claimedAt: Date;
  doneAt: Date | null;
}

export type Claim =
  | { readonly won: true; readonly claim: IdempotencyDocument }
  | { readonly won: false; readonly claim: IdempotencyDocument };

const idOf = (tenant: TenantId, key: string): string => `${tenant}:${key}`;

/**
 * The `idempotency_keys` collection. The first request with a key claims it by inserting
 * `<tenantId>:<key>`: the primary key lets exactly one of any number of concurrent requests win;
 * the others read the claim by `_id`. Keys are scoped by tenant, so two tenants may use the same key.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(IDEMPOTENCY_COLLECTION) private readonly claims: Collection<IdempotencyDocument>) {}

  async claim(tenant: TenantId, key: string, fingerprint: string, taskId: string): Promise<Claim> {
    const document: IdempotencyDocument = {
      _id: idOf(tenant, key),
      tenantId: tenant,
      fingerprint,
      taskId,
      state: 'pending',
      claimedAt: new Date(),
      doneAt: null,
    };
    try {
      await this.claims.insertOne(document);
      return { won: true, claim: document };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const existing = await this.find(tenant, key);
    // Released between our insert and this read: claim again.
    return existing ? { won: false, claim: existing } : this.claim(tenant, key, fingerprint, taskId);
  }

  async find(tenant: TenantId, key: string): Promise<IdempotencyDocument | null> {
    const document = await this.claims.findOne({ _id: idOf(tenant, key) });
    return document?.tenantId === tenant ? document : null;
  }

  async complete(tenant: TenantId, key: string): Promise<void> {
    await this.claims.updateOne({ _id: idOf(tenant, key) }, { $set: { state: 'done', doneAt: new Date() } });
  }

  async markUnconfirmed(tenant: TenantId, key: string): Promise<void> {
    await this.claims.updateOne({ _id: idOf(tenant, key) }, { $set: { state: 'unconfirmed' } });
  }

  /** Frees the key after a request that created nothing (refused, or not handed to Kafka). */
  async release(tenant: TenantId, key: string): Promise<void> {
    await this.claims.deleteOne({ _id: idOf(tenant, key) });
  }
}

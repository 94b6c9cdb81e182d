import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { type TenantId } from '../task/tenant';
import { TENANT_WEBHOOK_COLLECTION } from './collections';
import { mintWebhookSecret } from './signature';

export interface TenantWebhookDocument {
  /** The tenant id. */
  _id: string;
  /** `whsec_…`: signs every webhook of the tenant (task callbacks and the registered endpoint). */
  secret: string;
  /** Called for tasks submitted without a `callbackUrl`; null for none. */
  url: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Tenants whose settings are remembered: past this, the cache is emptied. */
const RECENT_LIMIT = 10_000;

/** The `tenant_webhooks` collection: one document per tenant, by `_id`. */
@Injectable()
export class TenantWebhookRepository {
  /** Settings read recently, with when they were read (null: the tenant has none). */
  private readonly recent = new Map<string, { settings: TenantWebhookDocument | null; at: number }>();

  constructor(
    @Inject(TENANT_WEBHOOK_COLLECTION) private readonly tenants: Collection<TenantWebhookDocument>,
  ) {}

  async find(tenant: TenantId): Promise<TenantWebhookDocument | null> {
    const settings = await this.tenants.findOne({ _id: tenant });
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.set(tenant, { settings, at: Date.now() });
    return settings;
  }

  /**
   * The settings as read at most `maxAgeMs` ago (by this process), else read now: for deciding
   * whether a task's end has anywhere to go, on every task, without a read per task. A change made
   * through another gateway is seen after `maxAgeMs` at most; one made through this one at once.
   */
  async findRecent(tenant: TenantId, maxAgeMs: number): Promise<TenantWebhookDocument | null> {
    const known = this.recent.get(tenant);
    if (known !== undefined && Date.now() - known.at <= maxAgeMs) return known.settings;
    return this.find(tenant);
  }

  /** The tenant's settings, created with a fresh secret and no endpoint the first time. */
  async ensure(tenant: TenantId): Promise<TenantWebhookDocument> {
    const existing = await this.find(tenant);
    if (existing) return existing;
    const now = new Date();
    const fresh: TenantWebhookDocument = {
      _id: tenant,
      secret: mintWebhookSecret(),
      url: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.tenants.insertOne(fresh);
      this.recent.delete(tenant);
      return fresh;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.find(tenant);
      if (!winner) throw error;
      return winner;
    }
  }

  async setUrl(tenant: TenantId, url: string | null): Promise<TenantWebhookDocument> {
    await this.ensure(tenant);
    await this.tenants.updateOne({ _id: tenant }, { $set: { url, updatedAt: new Date() } });
    this.recent.delete(tenant);
    return (await this.find(tenant))!;
  }

  async rotateSecret(tenant: TenantId): Promise<TenantWebhookDocument> {
    await this.ensure(tenant);
    await this.tenants.updateOne(
      { _id: tenant },
      { $set: { secret: mintWebhookSecret(), updatedAt: new Date() } },
    );
    this.recent.delete(tenant);
    return (await this.find(tenant))!;
  }
}

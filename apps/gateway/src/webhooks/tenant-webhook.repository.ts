import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey, RecentCache } from '@tributary/platform';
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

/** Tenants whose settings are remembered, least recently used out first. */
const RECENT_TENANTS = 10_000;

/**
 * How old the settings `findRecent` answers may be: an endpoint registered through another gateway
 * is used for tasks ending this long after at most.
 */
const RECENT_MAX_AGE_MS = 5_000;

/** The `tenant_webhooks` collection: one document per tenant, by `_id`. */
@Injectable()
export class TenantWebhookRepository {
  /** Settings read recently (null: the tenant has none). */
  private readonly recent = new RecentCache<{ settings: TenantWebhookDocument | null }>({
    capacity: RECENT_TENANTS,
    ttlMs: RECENT_MAX_AGE_MS,
  });

  constructor(
    @Inject(TENANT_WEBHOOK_COLLECTION) private readonly tenants: Collection<TenantWebhookDocument>,
  ) {}

  async find(tenant: TenantId): Promise<TenantWebhookDocument | null> {
    const settings = await this.tenants.findOne({ _id: tenant });
    this.recent.set(tenant, { settings });
    return settings;
  }

  /**
   * The settings as read at most RECENT_MAX_AGE_MS ago (by this process), else read now: for deciding
   * whether a task's end has anywhere to go, on every task, without a read per task. A change made
   * through another gateway is seen after RECENT_MAX_AGE_MS at most; one made through this one at once.
   */
  async findRecent(tenant: TenantId): Promise<TenantWebhookDocument | null> {
    const known = this.recent.get(tenant);
    return known === undefined ? this.find(tenant) : known.settings;
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

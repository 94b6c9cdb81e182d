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

/** The `tenant_webhooks` collection: one document per tenant, by `_id`. */
@Injectable()
export class TenantWebhookRepository {
  constructor(
    @Inject(TENANT_WEBHOOK_COLLECTION) private readonly tenants: Collection<TenantWebhookDocument>,
  ) {}

  async find(tenant: TenantId): Promise<TenantWebhookDocument | null> {
    return this.tenants.findOne({ _id: tenant });
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
    return (await this.find(tenant))!;
  }

  async rotateSecret(tenant: TenantId): Promise<TenantWebhookDocument> {
    await this.ensure(tenant);
    await this.tenants.updateOne(
      { _id: tenant },
      { $set: { secret: mintWebhookSecret(), updatedAt: new Date() } },
    );
    return (await this.find(tenant))!;
  }
}

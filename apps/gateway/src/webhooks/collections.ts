/**
 * Collections of the webhooks. Every document is keyed so that recording a webhook attempt and
 * reading a tenant's settings are an insert or an exact `{ _id }` read or update: on the local
 * store (FerretDB 1.x) any other filter decodes the whole collection.
 */
export const WEBHOOK_COLLECTION_NAMES = {
  /** `_id` = task id. */
  webhookDeliveries: 'webhook_deliveries',
  /** `_id` = tenant id: the tenant's signing secret and registered endpoint. */
  tenantWebhooks: 'tenant_webhooks',
} as const;

export const WEBHOOK_DELIVERY_COLLECTION = Symbol('WEBHOOK_DELIVERY_COLLECTION');
export const TENANT_WEBHOOK_COLLECTION = Symbol('TENANT_WEBHOOK_COLLECTION');

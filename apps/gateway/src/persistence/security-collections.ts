/**
 * Collections of the gateway's security and delivery features. Every document is keyed so that the
 * hot paths (authenticating a request, claiming an idempotency key, counting in-flight tasks,
 * recording a webhook attempt) are an insert or an exact `{ _id }` read or update: on the local
 * store (FerretDB 1.x) any other filter decodes the whole collection.
 */
export const SECURITY_COLLECTION_NAMES = {
  /** `_id` = key id. */
  apiKeys: 'api_keys',
  /** `_id` = `<tenantId>:<Idempotency-Key>`. */
  idempotencyKeys: 'idempotency_keys',
  /** `_id` = `<tenantId>#s<n>` (admissions), `<tenantId>#e<n>` (ends), `t#<taskId>` (admitted task). */
  inFlight: 'in_flight_tickets',
  /** `_id` = task id. */
  webhookDeliveries: 'webhook_deliveries',
  /** `_id` = tenant id: the tenant's signing secret and registered endpoint. */
  tenantWebhooks: 'tenant_webhooks',
} as const;

export const API_KEY_COLLECTION = Symbol('API_KEY_COLLECTION');
export const IDEMPOTENCY_COLLECTION = Symbol('IDEMPOTENCY_COLLECTION');
export const IN_FLIGHT_COLLECTION = Symbol('IN_FLIGHT_COLLECTION');
export const WEBHOOK_DELIVERY_COLLECTION = Symbol('WEBHOOK_DELIVERY_COLLECTION');
export const TENANT_WEBHOOK_COLLECTION = Symbol('TENANT_WEBHOOK_COLLECTION');

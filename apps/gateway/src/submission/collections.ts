/**
 * Collections of the submission path. Every document is keyed so that claiming an idempotency key
 * and counting in-flight tasks are an insert or an exact `{ _id }` read: on the local store
 * (FerretDB 1.x) any other filter decodes the whole collection.
 */
export const SUBMISSION_COLLECTION_NAMES = {
  /** `_id` = `<tenantId>:<Idempotency-Key>`. */
  idempotencyKeys: 'idempotency_keys',
  /** `_id` = `<tenantId>#s<n>` (admissions), `<tenantId>#e<n>` (ends), `t#<taskId>` (admitted task). */
  inFlight: 'in_flight_tickets',
} as const;

export const IDEMPOTENCY_COLLECTION = Symbol('IDEMPOTENCY_COLLECTION');
export const IN_FLIGHT_COLLECTION = Symbol('IN_FLIGHT_COLLECTION');

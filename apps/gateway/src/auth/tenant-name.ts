/** Tenant ids: short, URL- and key-safe (they are part of `_id`s such as `<tenantId>:<userId>`). */
export const TENANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isTenantName(value: unknown): value is string {
  return typeof value === 'string' && TENANT_NAME_PATTERN.test(value);
}

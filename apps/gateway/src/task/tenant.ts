declare const tenantBrand: unique symbol;

/**
 * A tenant id that came from a trusted place (the authenticated caller, an event envelope, or the
 * built-in default). Every read-model query takes one: a plain string does not compile, so a query
 * that forgot its tenant is caught by the type checker, not by a leak.
 */
export type TenantId = string & { readonly [tenantBrand]: true };

export function tenantId(value: string): TenantId {
  if (value.trim() === '') throw new Error('a tenant id must not be empty');
  return value as TenantId;
}

/** The tenant of every caller when authentication is disabled (a local, single-user gateway). */
export const DEFAULT_TENANT: TenantId = tenantId('default');

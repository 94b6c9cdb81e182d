import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

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

/** The only tenant until API keys exist (issue 6); every document and event still carries it. */
export const DEFAULT_TENANT: TenantId = tenantId('default');

/** Where the caller's tenant is kept on the request; an authentication guard will set it. */
export const TENANT_REQUEST_KEY = 'tributaryTenant';

interface RequestWithTenant {
  [TENANT_REQUEST_KEY]?: TenantId;
}

/** The calling tenant: the one an auth guard resolved, else the default tenant. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => {
  const request = context.switchToHttp().getRequest<RequestWithTenant>();
  return request[TENANT_REQUEST_KEY] ?? DEFAULT_TENANT;
});

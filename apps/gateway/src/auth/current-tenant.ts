import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_TENANT, type TenantId } from '../task/tenant';
import { type Principal, PRINCIPAL_REQUEST_KEY } from './principal';

/** Where the caller's tenant is kept on the request; AuthGuard sets it. */
export const TENANT_REQUEST_KEY = 'tributaryTenant';

interface RequestWithTenant {
  [TENANT_REQUEST_KEY]?: TenantId;
}

/** The calling tenant: the one AuthGuard resolved, else the default tenant. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => {
  const request = context.switchToHttp().getRequest<RequestWithTenant>();
  return request[TENANT_REQUEST_KEY] ?? DEFAULT_TENANT;
});

/** The calling principal AuthGuard resolved; the route must be guarded (every `/v1` route is). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<{ [PRINCIPAL_REQUEST_KEY]?: Principal }>();
    const principal = request[PRINCIPAL_REQUEST_KEY];
    if (principal === undefined) throw new Error('CurrentPrincipal on a route AuthGuard did not run for');
    return principal;
  },
);

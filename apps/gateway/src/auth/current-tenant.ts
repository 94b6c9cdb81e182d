import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_TENANT, type TenantId } from '../task/tenant';

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

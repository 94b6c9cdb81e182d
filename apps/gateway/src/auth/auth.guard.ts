import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { problemResponse } from '../docs/openapi';
import { type TenantId } from '../task/tenant';
import { forbidden, rateLimited } from './auth-problems';
import { Authenticator } from './authenticator';
import { TENANT_REQUEST_KEY } from './current-tenant';
import { type Principal, PRINCIPAL_REQUEST_KEY } from './principal';
import { RateLimiter } from './rate-limiter';
import { grants, type Scope } from './scopes';

const SCOPE_METADATA = 'tributary:scope';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  [TENANT_REQUEST_KEY]?: TenantId;
  [PRINCIPAL_REQUEST_KEY]?: Principal;
}

/**
 * Authenticates the caller (401), checks the route's scope (403), then takes a token from the
 * caller's rate-limit bucket (429), and leaves tenant and principal on the request for
 * `@CurrentTenant()`. Runs before validation pipes, so an anonymous caller learns nothing about
 * the request it sent. With auth disabled there is no rate limit (a local, single-user gateway).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    // Normally done already, before the body was read (authenticateEarly).
    const principal =
      request[PRINCIPAL_REQUEST_KEY] ??
      (await this.authenticator.authenticate(Array.isArray(header) ? header[0] : header));
    const scope = this.reflector.get<Scope | undefined>(SCOPE_METADATA, context.getHandler());
    if (scope !== undefined && !grants(principal.scopes, scope)) throw forbidden(scope);
    if (principal.via !== 'disabled') {
      const decision = this.limiter.take(principal.id);
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
    }
    request[TENANT_REQUEST_KEY] = principal.tenant;
    request[PRINCIPAL_REQUEST_KEY] = principal;
    return true;
  }
}

/** The route needs a credential with `scope`; documents the bearer scheme and the 401/403/429 answers. */
export function RequireScope(scope: Scope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(SCOPE_METADATA, scope),
    UseGuards(AuthGuard),
    ApiBearerAuth(),
    ApiResponse(problemResponse(401, 'No valid API key or token (`WWW-Authenticate` says why).')),
    ApiResponse(problemResponse(403, `The credential lacks the \`${scope}\` scope.`)),
    ApiResponse(
      problemResponse(
        429,
        "The credential's rate limit, or on submit the tenant's in-flight cap; see `Retry-After`.",
      ),
    ),
  );
}

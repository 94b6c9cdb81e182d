import { type TenantId } from '../task/tenant';
import { type Scope } from './scopes';

/** Who is calling: resolved from an API key, a JWT, or (auth disabled) the local default. */
export interface Principal {
  readonly tenant: TenantId;
  readonly scopes: readonly Scope[];
  /** What the rate limit counts against: `key:<key id>`, `jwt:<issuer>:<subject>` or `local`. */
  readonly id: string;
  readonly via: 'api-key' | 'jwt' | 'disabled';
  /** When the credential stops being valid (a JWT's `exp`, epoch ms); absent for keys, which are revoked instead. */
  readonly expiresAt?: number;
}

/** Where the guard leaves the principal on the request. */
export const PRINCIPAL_REQUEST_KEY = 'tributaryPrincipal';

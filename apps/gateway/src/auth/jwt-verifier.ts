import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { type JwtConfig } from '@tributary/config';
import { tenantId } from '../task/tenant';
import { type Principal } from './principal';
import { jwtScopes } from './scopes';
import { isTenantName } from './tenant-name';

export class JwtRejectedError extends Error {
  override readonly name = 'JwtRejectedError';
}

/** A compact JWS: three base64url parts. API keys (`trb_…`) never look like this. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * Verifies bearer JWTs against a shared secret (HS256/384/512) or a JWKS URL (keys fetched and
 * cached by jose, refetched for an unknown `kid`). The token must carry `exp`, the tenant claim,
 * the configured issuer and audience (both required by the configuration); scopes come from the
 * scope claim (a space-separated string, or an array): only `tributary:<scope>` names and those the
 * configured scope map names grant anything.
 */
export class JwtVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[] | undefined;

  constructor(private readonly config: JwtConfig) {
    if (config.secret !== undefined) {
      this.key = new TextEncoder().encode(config.secret);
      this.algorithms = ['HS256', 'HS384', 'HS512'];
    } else if (config.jwksUrl !== undefined) {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5_000 });
      // Asymmetric only: an HMAC "signed" with a public key must not pass.
      this.algorithms = [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
      ];
    } else {
      throw new Error('JwtVerifier needs a secret or a JWKS URL');
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        requiredClaims: ['exp', 'iss', 'aud'],
        clockTolerance: 30,
        issuer: this.config.issuer,
        audience: this.config.audience,
        ...(this.algorithms ? { algorithms: this.algorithms } : {}),
      };
      payload =
        this.key instanceof Uint8Array
          ? (await jwtVerify(token, this.key, options)).payload
          : (await jwtVerify(token, this.key, options)).payload;
    } catch (error) {
      if (error instanceof errors.JOSEError) throw new JwtRejectedError(describe(error));
      throw error;
    }
    const tenant = payload[this.config.tenantClaim];
    if (!isTenantName(tenant)) {
      throw new JwtRejectedError(`the token has no valid "${this.config.tenantClaim}" claim`);
    }
    const raw = payload[this.config.scopeClaim];
    const names = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.map(String) : [];
    return {
      tenant: tenantId(tenant),
      scopes: jwtScopes(names, this.config.scopeMap),
      id: `jwt:${payload.iss ?? ''}:${payload.sub ?? tenant}`,
      via: 'jwt',
      ...(payload.exp === undefined ? {} : { expiresAt: payload.exp * 1000 }),
    };
  }
}

function describe(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the JWKS matches the token';
  return 'the token is not valid';
}

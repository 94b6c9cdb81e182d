import { Inject, Injectable } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { DEFAULT_TENANT, tenantId } from '../task/tenant';
import { API_KEY_PREFIX, parseApiKey, secretMatches } from './api-key';
import { ApiKeyRepository, type ApiKeyDocument } from './api-key.repository';
import { unauthorized } from './auth-problems';
import { JwtRejectedError, JwtVerifier, looksLikeJwt } from './jwt-verifier';
import { type Principal } from './principal';
import { SCOPES } from './scopes';

/** How long a key read from the database is trusted: a revocation takes effect within this time. */
const KEY_CACHE_MS = 5_000;
const KEY_CACHE_MAX = 10_000;

const LOCAL: Principal = { tenant: DEFAULT_TENANT, scopes: [...SCOPES], id: 'local', via: 'disabled' };

/**
 * Turns an `Authorization` header into a principal, or a 401 problem. With auth disabled every
 * caller is the local principal (tenant `default`, every scope), whatever it sends.
 */
@Injectable()
export class Authenticator {
  private readonly jwt: JwtVerifier | undefined;
  private readonly cache = new Map<string, { document: ApiKeyDocument | null; until: number }>();

  constructor(
    @Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig,
    @Inject(ApiKeyRepository) private readonly keys: ApiKeyRepository,
  ) {
    const jwt = config.gateway.auth.jwt;
    this.jwt = jwt ? new JwtVerifier(jwt) : undefined;
  }

  get enabled(): boolean {
    return this.config.gateway.auth.mode === 'required';
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!this.enabled) return LOCAL;
    if (authorization === undefined || authorization.trim() === '') {
      throw unauthorized('Send an API key or token as "Authorization: Bearer <key>".', false);
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <key>".', true);
    const token = match[1]!;
    if (token.startsWith(API_KEY_PREFIX)) return this.apiKey(token);
    if (this.jwt && looksLikeJwt(token)) {
      try {
        return await this.jwt.verify(token);
      } catch (error) {
        if (error instanceof JwtRejectedError) throw unauthorized(`Invalid token: ${error.message}.`, true);
        throw error;
      }
    }
    throw unauthorized('The API key or token is not valid.', true);
  }

  /**
   * Whether a principal authenticated earlier may still act: its API key is neither revoked nor gone
   * (as of the key cache, so within 5 s of a revocation), its JWT not expired. Long-lived requests
   * (event streams) ask this while they run.
   */
  async stillValid(principal: Principal, now = Date.now()): Promise<boolean> {
    switch (principal.via) {
      case 'disabled':
        return true;
      case 'jwt':
        return principal.expiresAt === undefined || principal.expiresAt > now;
      case 'api-key': {
        const document = await this.lookup(principal.id.slice('key:'.length));
        return document !== null && document.revokedAt === null;
      }
    }
  }

  private async apiKey(key: string): Promise<Principal> {
    const parsed = parseApiKey(key);
    if (!parsed) throw unauthorized('The API key is not valid.', true);
    const document = await this.lookup(parsed.keyId);
    if (!document || !secretMatches(parsed.secret, document.secretHash)) {
      throw unauthorized('The API key is not valid.', true);
    }
    if (document.revokedAt !== null) throw unauthorized('The API key has been revoked.', true);
    return {
      tenant: tenantId(document.tenantId),
      scopes: document.scopes,
      id: `key:${document._id}`,
      via: 'api-key',
    };
  }

  private async lookup(keyId: string): Promise<ApiKeyDocument | null> {
    const now = Date.now();
    const hit = this.cache.get(keyId);
    if (hit && hit.until > now) return hit.document;
    const document = await this.keys.findForAuthentication(keyId);
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
    // Unknown ids are cached too, so guessing ids costs the database nothing extra.
    this.cache.set(keyId, { document, until: now + KEY_CACHE_MS });
    return document;
  }
}

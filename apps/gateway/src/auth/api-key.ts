import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '@tributary/platform';

/**
 * API keys look like `trb_<key id>_<secret>`: the key id (16 hex characters) is public and names the
 * key in listings, logs and revocations; the secret is 32 random bytes (base64url). Only the SHA-256
 * of the secret is stored: a secret of 256 random bits needs no slow hash (nothing to brute-force),
 * and a leaked database yields no usable key. The key is shown once, when it is created.
 */
export const API_KEY_PREFIX = 'trb_';
const KEY_ID_LENGTH = 16;
const API_KEY_PATTERN = /^trb_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedApiKey {
  readonly keyId: string;
  /** The whole key, to hand to the client once. */
  readonly key: string;
  /** SHA-256 of the secret, hex: what is stored. */
  readonly secretHash: string;
}

export function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

export function mintApiKey(): MintedApiKey {
  const keyId = randomBytes(KEY_ID_LENGTH / 2).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, key: `${API_KEY_PREFIX}${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** The key id and secret of a well-formed key, or null. */
export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

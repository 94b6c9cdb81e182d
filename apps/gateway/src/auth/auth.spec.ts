import { describe, expect, it } from 'vitest';
import { hashSecret, mintApiKey, parseApiKey, secretMatches } from './api-key';
import { clientAddressKey } from './client-address';
import { RateLimiter } from './rate-limiter';
import { grants, jwtScopes, parseScopes } from './scopes';

describe('API keys', () => {
  it('round-trip: the minted key parses back to its id, and only its secret matches the stored hash', () => {
    const minted = mintApiKey();
    const parsed = parseApiKey(minted.key);
    expect(parsed?.keyId).toBe(minted.keyId);
    expect(hashSecret(parsed!.secret)).toBe(minted.secretHash);
    expect(secretMatches(parsed!.secret, minted.secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret.replace(/.$/, 'x'), minted.secretHash)).toBe(false);
    expect(parseApiKey('trb_short_x')).toBeNull();
  });

  it('scopes: admin implies every scope; unknown names are refused', () => {
    expect(grants(['admin'], 'cancel')).toBe(true);
    expect(grants(['read'], 'submit')).toBe(false);
    expect(parseScopes('submit, read')).toEqual(['submit', 'read']);
    expect(() => parseScopes('submit,write')).toThrow(/write/);
  });

  it('JWT scopes: only tributary:<scope> names and mapped names grant anything; a plain admin grants nothing', () => {
    const none = new Map<string, never[]>();
    expect(jwtScopes(['admin', 'submit', 'read'], none)).toEqual([]);
    expect(jwtScopes(['tributary:admin', 'tributary:write', 'other:read'], none)).toEqual(['admin']);
    const map = new Map([['orders.write', ['submit', 'priority'] as const]]);
    expect(jwtScopes(['orders.write', 'tributary:read', 'admin'], map)).toEqual([
      'submit',
      'priority',
      'read',
    ]);
  });
});

describe('the token bucket', () => {
  it('allows the burst, then one request per refill interval, and says when to retry', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('k').allowed)).toEqual([true, true, true, false]);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('other').allowed).toBe(true);
    now += 500; // one token back
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('peek says what take would answer without taking a token', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1 }, () => now);
    expect(limiter.peek('a')).toEqual({ allowed: true });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.peek('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.peek('a').allowed).toBe(false);
    now += 1_000;
    expect(limiter.peek('a').allowed).toBe(true);
    expect(limiter.peek('a').allowed).toBe(true);
  });
});

describe('client address keys', () => {
  it('count IPv4 (mapped or not) per address and IPv6 per /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
  });
});

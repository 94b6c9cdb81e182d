import { describe, expect, it } from 'vitest';
import { tenantId } from '../task/tenant';
import { TenantShares } from './tenant-shares';

const acme = tenantId('acme');
const globex = tenantId('globex');

describe('TenantShares', () => {
  it("gives a tenant at most its share, leaving other tenants' shares untouched", () => {
    const shares = new TenantShares(2);
    const first = shares.tryTake(acme);
    const second = shares.tryTake(acme);

    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    expect(shares.tryTake(acme)).toBeUndefined();
    expect(shares.tryTake(globex)).toBeTypeOf('function');
    expect(shares.held(acme)).toBe(2);
  });

  it('frees a slot when it is given back, once however often release is called', () => {
    const shares = new TenantShares(1);
    const release = shares.tryTake(acme)!;
    release();
    release();

    expect(shares.held(acme)).toBe(0);
    expect(shares.tryTake(acme)).toBeTypeOf('function');
    expect(shares.tryTake(acme)).toBeUndefined();
  });

  it('refuses a share that is not a positive integer', () => {
    expect(() => new TenantShares(0)).toThrow(RangeError);
  });
});

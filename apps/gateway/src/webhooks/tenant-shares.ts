import { type TenantId } from '../task/tenant';

/**
 * Each tenant's share of the webhook delivery slots: at most `perTenant` sends of one tenant at once.
 * A tenant whose endpoint is slow or down therefore holds at most its share of the consumer's slots,
 * and every other tenant's webhooks keep going out. Per process, like the slots themselves.
 */
export class TenantShares {
  private readonly sending = new Map<TenantId, number>();

  constructor(private readonly perTenant: number) {
    if (!Number.isInteger(perTenant) || perTenant < 1) {
      throw new RangeError(`a tenant's share must be a positive integer, got ${perTenant}`);
    }
  }

  /** A slot of the tenant's share and the function that gives it back, or undefined when all are taken. */
  tryTake(tenant: TenantId): (() => void) | undefined {
    const held = this.sending.get(tenant) ?? 0;
    if (held >= this.perTenant) return undefined;
    this.sending.set(tenant, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.sending.get(tenant) ?? 1) - 1;
      if (now === 0) this.sending.delete(tenant);
      else this.sending.set(tenant, now);
    };
  }

  /** Sends of the tenant in flight now. */
  held(tenant: TenantId): number {
    return this.sending.get(tenant) ?? 0;
  }
}

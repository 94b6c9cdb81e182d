import { type GatewayConfig } from '@tributary/config';

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per principal (API key or JWT subject), in this process: `burst` tokens, refilled
 * at `ratePerSecond`; a request takes one. With several gateway instances each keeps its own
 * buckets, so a key's effective limit is the per-instance limit times the instances it reaches.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private sweptAt = 0;

  constructor(
    limits: Pick<GatewayConfig['limits'], 'ratePerSecond' | 'burst'>,
    private readonly now: () => number = Date.now,
  ) {
    this.rate = limits.ratePerSecond;
    this.burst = limits.burst;
  }

  take(principal: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(principal) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(principal, bucket);
      this.sweep(now);
      return { allowed: true };
    }
    this.buckets.set(principal, bucket);
    return this.refusal(bucket.tokens);
  }

  /** What `take` would answer, without taking anything. */
  peek(principal: string): RateDecision {
    const bucket = this.buckets.get(principal);
    if (!bucket) return { allowed: true };
    const tokens = Math.min(this.burst, bucket.tokens + ((this.now() - bucket.at) / 1000) * this.rate);
    return tokens >= 1 ? { allowed: true } : this.refusal(tokens);
  }

  private refusal(tokens: number): RateDecision {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rate)) };
  }

  /**
   * Drops buckets that have refilled completely (they equal a fresh one), so idle keys cost nothing;
   * at most once a second, so many live buckets do not make every request pay for a scan.
   */
  private sweep(now: number): void {
    if (this.buckets.size < 10_000 || now - this.sweptAt < 1_000) return;
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(key);
    }
  }
}

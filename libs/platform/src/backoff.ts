/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * the delay after failed attempt n is uniform in [0, min(max, base × 2^(n-1))]. Full jitter spreads
 * a burst of failures (a model provider down for everyone) instead of retrying them in lockstep.
 */
export interface BackoffPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Uniform in [0, 1]; injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

/** The upper bound of the delay after `attempt` failed attempts (attempt ≥ 1). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity long before it matters; min() keeps the cap.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const random = policy.random ?? Math.random;
  const unit = Math.min(1, Math.max(0, random()));
  return Math.round(unit * backoffCeiling(attempt, policy));
}

import { type RuntimeConfig } from '@tributary/config';
import { backoffCeiling, isTransient } from '@tributary/platform';
import { type RetryPolicy } from './failure-routing';

/**
 * What a consumer group does with a message whose handler failed; each group has its own
 * (`ParallelConsumerOptions.failurePolicy`, defaults from the runtime configuration).
 *
 * - A permanent error, or bytes that cannot be read: the group's dead-letter topic at once.
 * - A retriable error: the group's retry topic, due after an exponential backoff, until
 *   `maxAttempts` deliveries have failed; then the dead-letter topic.
 * - A transient error (a dependency unavailable: `isTransient` in @tributary/platform) follows
 *   `onTransient`.
 */
export interface FailurePolicy {
  /** Deliveries of one message, the first included, before a retriable failure is dead-lettered. */
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /**
   * - `retry-topic` (the default): like any retriable error, so an outage longer than the retry
   *   budget dead-letters what it touched. Right for a group whose failures are mostly about the
   *   message (a model's 429, a receiver's 500) and whose partitions must keep moving.
   * - `hold-partition`: the message's partition is paused and its handler runs again in place, with
   *   capped exponential backoff (`holdBaseDelayMs` doubling up to `holdMaxDelayMs`, equal jitter),
   *   for as long as it takes; it is never dead-lettered for a transient error. Right for a group
   *   whose every effect is a write to that dependency (the gateway's projection, in-flight admission
   *   and webhooks over the store): nothing can be done without it, and a dead letter would leave a
   *   task unfinished in the read model, its slot taken, its webhook unsent. The message keeps its
   *   key, so a task's later events wait behind it, in order.
   */
  readonly onTransient: 'retry-topic' | 'hold-partition';
  readonly holdBaseDelayMs: number;
  readonly holdMaxDelayMs: number;
}

export type FailurePolicySettings = Partial<FailurePolicy>;

export function failurePolicy(runtime: RuntimeConfig, settings: FailurePolicySettings = {}): FailurePolicy {
  return {
    maxAttempts: runtime.maxAttempts,
    retryBaseDelayMs: runtime.retryBaseDelayMs,
    retryMaxDelayMs: runtime.retryMaxDelayMs,
    onTransient: 'retry-topic',
    holdBaseDelayMs: runtime.holdBaseDelayMs,
    holdMaxDelayMs: runtime.holdMaxDelayMs,
    ...settings,
  };
}

/** The retry-topic part of a policy, as failure routing takes it. */
export function retryPolicy(policy: FailurePolicy, random?: () => number): RetryPolicy {
  return {
    maxAttempts: policy.maxAttempts,
    baseDelayMs: policy.retryBaseDelayMs,
    maxDelayMs: policy.retryMaxDelayMs,
    ...(random ? { random } : {}),
  };
}

/** Whether this failure is retried in place, its partition paused, rather than routed to a topic. */
export function holdsInPlace(error: unknown, policy: FailurePolicy): boolean {
  return policy.onTransient === 'hold-partition' && isTransient(error);
}

/**
 * The wait after `failures` failed attempts in place: equal jitter, uniform in [½, 1] of the capped
 * ceiling, so a held message neither hammers a recovering store nor waits much longer than the cap.
 */
export function holdDelay(
  failures: number,
  policy: FailurePolicy,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(failures, {
    baseDelayMs: policy.holdBaseDelayMs,
    maxDelayMs: policy.holdMaxDelayMs,
  });
  return Math.round(ceiling * (0.5 + Math.min(1, Math.max(0, random())) / 2));
}

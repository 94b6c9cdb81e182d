import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

/** How one webhook attempt went (the gateway's WebhookTransport outcomes). */
export type WebhookOutcome = 'delivered' | 'failed' | 'refused';

const attempts = new Counter({
  name: 'tributary_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome: delivered (2xx), failed (will be retried while the window lasts) or refused (the target is not allowed).',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const attemptDuration = new Histogram({
  name: 'tributary_webhook_attempt_duration_seconds',
  help: 'Duration of webhook delivery attempts, connection to last byte, by outcome.',
  labelNames: ['outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const webhookMetrics = {
  attempt(outcome: WebhookOutcome, seconds: number): void {
    attempts.inc({ outcome });
    attemptDuration.observe({ outcome }, seconds);
  },
};

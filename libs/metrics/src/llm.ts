import { Counter, Histogram } from 'prom-client';
import { oneOf, tenantLabel } from './labels';
import { metricsRegistry } from './registry';

/** The port's operations: one task-shaped call each. */
export const LLM_OPERATIONS = ['plan', 'draft', 'review'] as const;
export type LlmOperationLabel = (typeof LLM_OPERATIONS)[number];

/** Seconds: the offline provider answers in milliseconds, a model in seconds to minutes. */
const LLM_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

const LABELS = ['agent', 'model', 'operation', 'tenant'] as const;

const duration = new Histogram({
  name: 'tributary_llm_request_duration_seconds',
  help: 'LLM calls made (not answered from the call journal), retries and repair rounds included, by agent, model, operation, tenant and result (success, error).',
  labelNames: [...LABELS, 'result'] as const,
  buckets: LLM_BUCKETS,
  registers: [metricsRegistry],
});

const errors = new Counter({
  name: 'tributary_llm_errors_total',
  help: 'LLM calls that failed, by agent, model, operation, tenant and error class (LlmRateLimitError, LlmTimeoutError, …).',
  labelNames: [...LABELS, 'error'] as const,
  registers: [metricsRegistry],
});

const tokens = new Counter({
  name: 'tributary_llm_tokens_total',
  help: 'Tokens the model endpoint reported (usage), by agent, model, operation, tenant and type (input, output).',
  labelNames: [...LABELS, 'type'] as const,
  registers: [metricsRegistry],
});

const journalHits = new Counter({
  name: 'tributary_llm_journal_hits_total',
  help: 'LLM calls answered from the call journal instead of the model, by agent, model, operation and tenant.',
  labelNames: LABELS,
  registers: [metricsRegistry],
});

/** The error classes of the LLM port (libs/llm errors.ts); any other counts as `_other`. */
export const LLM_ERROR_CLASSES = [
  'LlmAbortedError',
  'LlmTimeoutError',
  'LlmRateLimitError',
  'LlmServerError',
  'LlmConnectionError',
  'LlmRequestError',
  'LlmOutputError',
  'LlmError',
] as const;

/** One agent's LLM recording side: `agent` is the service, `model` the configured model (or `offline`). */
export class LlmInstruments {
  constructor(private readonly fixed: { readonly agent: string; readonly model: string }) {}

  private labels(operation: string, tenantId: string) {
    return {
      ...this.fixed,
      operation: oneOf(operation, LLM_OPERATIONS),
      tenant: tenantLabel.value(tenantId),
    };
  }

  succeeded(operation: string, tenantId: string, seconds: number): void {
    duration.observe({ ...this.labels(operation, tenantId), result: 'success' }, seconds);
  }

  failed(operation: string, tenantId: string, seconds: number, errorClass: string): void {
    const labels = this.labels(operation, tenantId);
    duration.observe({ ...labels, result: 'error' }, seconds);
    errors.inc({ ...labels, error: oneOf(errorClass, LLM_ERROR_CLASSES) });
  }

  usage(operation: string, tenantId: string, input: number, output: number): void {
    const labels = this.labels(operation, tenantId);
    if (input > 0) tokens.inc({ ...labels, type: 'input' }, input);
    if (output > 0) tokens.inc({ ...labels, type: 'output' }, output);
  }

  journalHit(operation: string, tenantId: string): void {
    journalHits.inc(this.labels(operation, tenantId));
  }
}

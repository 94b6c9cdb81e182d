import { type LlmInstruments } from '@tributary/metrics';
import { type Draft, type Plan } from '@tributary/contracts';
import {
  type CallOptions,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
} from '../port';

/** The class an error counts under in `tributary_llm_errors_total`. */
export function llmErrorClass(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Decorates a port with metrics: each call's duration and result, and its error class when it
 * fails. Placed inside the call journal (RecordedLlm), it sees only calls that reach the model:
 * journal hits are counted by the journal. Tokens are reported by the adapter (`onUsage`).
 */
export class MeteredLlm implements LlmPort {
  readonly provider: string;

  constructor(
    private readonly inner: LlmPort,
    private readonly instruments: LlmInstruments,
  ) {
    this.provider = inner.provider;
  }

  plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    return this.measured('plan', opts, () => this.inner.plan(input, opts));
  }

  draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    return this.measured('draft', opts, () => this.inner.draft(input, opts));
  }

  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    return this.measured('review', opts, () => this.inner.review(input, opts));
  }

  private async measured<T>(operation: string, opts: CallOptions, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      this.instruments.succeeded(operation, opts.tenantId, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      this.instruments.failed(operation, opts.tenantId, seconds, llmErrorClass(error));
      throw error;
    }
  }
}

import { type Draft, type Plan } from '@tributary/contracts';
import {
  type CallOptions,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
} from '@tributary/llm';

export interface LlmCall {
  readonly method: 'plan' | 'draft' | 'review';
  readonly ms: number;
  readonly ok: boolean;
}

/** Passes every call to the port it wraps and notes it (method, time taken, outcome) per task. */
export class CountingLlm implements LlmPort {
  readonly provider: string;
  private readonly calls = new Map<string, LlmCall[]>();

  constructor(private readonly inner: LlmPort) {
    this.provider = inner.provider;
  }

  plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    return this.count('plan', opts, () => this.inner.plan(input, opts));
  }

  draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    return this.count('draft', opts, () => this.inner.draft(input, opts));
  }

  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    return this.count('review', opts, () => this.inner.review(input, opts));
  }

  /** The calls made for a task so far; forgets them. */
  take(taskId: string): LlmCall[] {
    const calls = this.calls.get(taskId) ?? [];
    this.calls.delete(taskId);
    return calls;
  }

  private async count<T>(method: LlmCall['method'], opts: CallOptions, call: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    const note = (ok: boolean): void => {
      const calls = this.calls.get(opts.taskId) ?? [];
      calls.push({ method, ms: performance.now() - startedAt, ok });
      this.calls.set(opts.taskId, calls);
    };
    try {
      const result = await call();
      note(true);
      return result;
    } catch (error) {
      note(false);
      throw error;
    }
  }
}

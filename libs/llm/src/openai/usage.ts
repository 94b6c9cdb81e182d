import { type TokenUsage } from '../port';
import { activeSpan, GEN_AI, type Span, TRIBUTARY } from '@tributary/tracing';

interface CountedTokens {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
}

/**
 * What one task call (plan, draft, review) cost across its model requests (retries and the repair
 * round included), written onto the current span: the LLM call span RecordedLlm started, with GenAI
 * attributes (input and output tokens, finish reasons, the model that answered).
 */
export class CallUsage {
  private readonly span: Span | undefined;
  private requests = 0;
  private inputTokens: number | undefined;
  private outputTokens: number | undefined;
  private readonly finishReasons: string[] = [];
  private model: string | undefined;
  private id: string | undefined;

  constructor() {
    const span = activeSpan();
    this.span = span?.isRecording() === true ? span : undefined;
  }

  /** Whether a span will carry the counts (then a streamed request asks for them). */
  get wanted(): boolean {
    return this.span !== undefined;
  }

  requested(): void {
    this.requests += 1;
  }

  answered(
    model: string | undefined,
    id: string | undefined,
    tokens: CountedTokens | null | undefined,
    finishReason: string | null | undefined,
  ): void {
    if (model) this.model = model;
    if (id) this.id = id;
    if (tokens?.prompt_tokens !== undefined)
      this.inputTokens = (this.inputTokens ?? 0) + tokens.prompt_tokens;
    if (tokens?.completion_tokens !== undefined)
      this.outputTokens = (this.outputTokens ?? 0) + tokens.completion_tokens;
    if (finishReason) this.finishReasons.push(finishReason);
  }

  /** The tokens counted over the call's requests; undefined when no request reported any. */
  get counted(): TokenUsage | undefined {
    if (this.inputTokens === undefined && this.outputTokens === undefined) return undefined;
    return { inputTokens: this.inputTokens ?? 0, outputTokens: this.outputTokens ?? 0 };
  }

  report(): void {
    const span = this.span;
    if (span === undefined) return;
    span.setAttribute(TRIBUTARY.llmRequests, this.requests);
    if (this.inputTokens !== undefined) span.setAttribute(GEN_AI.inputTokens, this.inputTokens);
    if (this.outputTokens !== undefined) span.setAttribute(GEN_AI.outputTokens, this.outputTokens);
    if (this.finishReasons.length > 0) span.setAttribute(GEN_AI.finishReasons, this.finishReasons);
    if (this.model !== undefined) span.setAttribute(GEN_AI.responseModel, this.model);
    if (this.id !== undefined) span.setAttribute(GEN_AI.responseId, this.id);
  }
}

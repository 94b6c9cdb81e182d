import { type LlmConfig } from '@tributary/config';
import { type Draft, type Plan } from '@tributary/contracts';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { type BackoffPolicy, backoffDelay } from '@tributary/platform';
import {
  type ChatCompletionCreateParamsBase,
  type ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { type CompletionUsage } from 'openai/resources/completions';
import {
  LlmAbortedError,
  LlmConnectionError,
  LlmError,
  type LlmErrorContext,
  type LlmOperation,
  LlmOutputError,
  LlmRateLimitError,
  LlmRequestError,
  LlmServerError,
  LlmTimeoutError,
} from '../errors';
import { type FromJsonSchema, type JsonSchema, parseJsonReply } from '../json-schema';
import {
  type CallOptions,
  DEFAULT_APPROVE_THRESHOLD,
  type DraftInput,
  type LlmLogger,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
} from '../port';
import { eligibleCandidates, type Shaped, shapeDraft, shapeJudgement, shapePlan } from '../shaping';
import {
  draftPrompt,
  planPrompt,
  type Prompt,
  promptCandidates,
  repairPrompt,
  reviewPrompt,
  schemaInstruction,
} from './prompts';
import { planFromReply } from './plan-reply';
import { DRAFT_REPLY, draftReplyFor, PLAN_REPLY, PLAN_REPLY_ACCEPTED, REVIEW_REPLY } from './schemas';
import { CallUsage } from './usage';

/**
 * In-process retries of one call. `baseDelayMs` is the first delay when the server gives no
 * Retry-After; it doubles per attempt up to `maxDelayMs`, with equal jitter (at least half the
 * ceiling, so retries of one burst still spread).
 */
export interface LlmRetryPolicy extends Omit<BackoffPolicy, 'random'> {
  /**
   * A Retry-After longer than this is not waited out in process: the error is thrown (retriable)
   * and the Kafka retry topic takes over, so a consumer slot is not held for minutes.
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: LlmRetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryEvent {
  readonly operation: LlmOperation;
  readonly taskId: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: LlmError;
}

export interface OpenAiLlmOptions {
  readonly logger?: LlmLogger;
  readonly approveThreshold?: number;
  readonly backoff?: Partial<LlmRetryPolicy>;
  /** Called before each retry's wait: for metrics, logs and tests. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * Awaited before every request to the server (each retry and repair round is one more); what it
   * throws ends the call, as it is, with no request sent. A replay's budget of model requests.
   */
  readonly beforeRequest?: (request: {
    readonly operation: LlmOperation;
    readonly taskId: string;
  }) => Promise<void>;
  /** Called after each completed chat completion (a repair round is one more) with the tokens the server reported. */
  readonly onUsage?: (usage: LlmUsage) => void;
  /** Jitter source in [0, 1); Math.random by default. */
  readonly random?: () => number;
}

/** The tokens one chat completion used, as the server reported them (`usage`); 0 when it reported none. */
export interface LlmUsage {
  readonly operation: LlmOperation;
  readonly taskId: string;
  readonly tenantId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * How the reply is held to its schema. Servers differ: OpenAI and recent vLLM, Ollama and
 * llama.cpp accept json_schema; some only json_object; a few reject response_format outright.
 * The adapter starts strict and steps down once per instance when the server answers 400.
 */
export type OutputMode = 'json_schema' | 'json_object' | 'prompt';

interface TaskCall<S extends JsonSchema, T> {
  readonly operation: LlmOperation;
  readonly name: string;
  readonly prompt: Prompt;
  /** Sent to the server as response_format (json_schema mode) or in the prompt (other modes). */
  readonly schema: JsonSchema;
  /** Validates the reply. */
  readonly reply: S;
  readonly shape: (value: FromJsonSchema<S>) => Shaped<T>;
}

interface Message {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

interface ChatReply {
  readonly content: string;
  readonly finishReason: string | null;
  readonly refusal: string;
}

const STEP_DOWN: Record<OutputMode, OutputMode | undefined> = {
  json_schema: 'json_object',
  json_object: 'prompt',
  prompt: undefined,
};

/**
 * The LLM port over any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama,
 * llama.cpp server, LiteLLM...). Structured JSON output validated by hand, streamed tokens to
 * `onToken`, a deadline per attempt, its own retry loop (429, 5xx, timeouts, honouring
 * Retry-After), a real abort of the HTTP request on `signal`, one repair round for bad output.
 */
export class OpenAiLlm implements LlmPort {
  readonly provider: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoff: LlmRetryPolicy;
  private readonly approveThreshold: number;
  private readonly logger: LlmLogger | undefined;
  private mode: OutputMode = 'json_schema';

  constructor(
    config: LlmConfig,
    private readonly options: OpenAiLlmOptions = {},
  ) {
    if (config.baseUrl === undefined)
      throw new Error('OpenAiLlm needs llm.baseUrl; without one use the offline provider');
    this.model = config.model;
    this.provider = `openai:${config.model}@${new URL(config.baseUrl).host}`;
    this.timeoutMs = config.timeoutMs;
    this.maxRetries = config.maxRetries;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.approveThreshold = options.approveThreshold ?? DEFAULT_APPROVE_THRESHOLD;
    this.logger = options.logger;
    this.client = new OpenAI({
      baseURL: config.baseUrl,
      // Local servers (Ollama, llama.cpp) take no key, but the SDK insists on one. Passing every
      // option explicitly also keeps the SDK from reading OPENAI_* variables behind config's back.
      apiKey: config.apiKey ?? 'no-key',
      organization: null,
      project: null,
      timeout: config.timeoutMs,
      // Retries are ours (observable, abortable, honouring Retry-After: 0); the SDK's are off.
      maxRetries: 0,
    });
  }

  /** The current structured-output mode (steps down after a 400 from a server that lacks it). */
  get outputMode(): OutputMode {
    return this.mode;
  }

  plan({ request, profile }: PlanInput, opts: CallOptions): Promise<Plan> {
    return this.task(
      {
        operation: 'plan',
        name: 'research_plan',
        prompt: planPrompt(request, profile),
        schema: PLAN_REPLY,
        reply: PLAN_REPLY_ACCEPTED,
        shape: (value) => shapePlan(planFromReply(value, request), request, this.provider),
      },
      opts,
    );
  }

  async draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    const eligible = eligibleCandidates(input.candidates, input.request, input.profile);
    if (eligible.length === 0 || input.request.maxResults <= 0) {
      // Nothing to choose from: asking a model would only invite invented items.
      return {
        summary: `No candidate fits "${input.request.query.trim()}" within the constraints.`,
        recommendations: [],
        provider: this.provider,
      };
    }
    const shown = promptCandidates(eligible);
    return this.task(
      {
        operation: 'draft',
        name: 'recommendation_draft',
        prompt: draftPrompt({ ...input, candidates: shown }),
        schema: draftReplyFor(shown.map((candidate) => candidate.itemId)),
        reply: DRAFT_REPLY,
        shape: (value) => shapeDraft(value, input.candidates, input.request, input.profile, this.provider),
      },
      opts,
    );
  }

  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    return this.task(
      {
        operation: 'review',
        name: 'draft_review',
        prompt: reviewPrompt({ ...input, threshold: this.approveThreshold }),
        schema: REVIEW_REPLY,
        reply: REVIEW_REPLY,
        shape: (value) => ({
          value: shapeJudgement(value, input.checks, this.approveThreshold),
          problems: [],
        }),
      },
      opts,
    );
  }

  /** One task call: a chat completion, its validation, and one repair round when the reply is unusable. */
  private async task<S extends JsonSchema, T>(call: TaskCall<S, T>, opts: CallOptions): Promise<T> {
    const usage = new CallUsage();
    try {
      return await this.taskRounds(call, opts, usage);
    } finally {
      usage.report();
      this.tellUsage(opts, usage);
    }
  }

  private tellUsage(opts: CallOptions, usage: CallUsage): void {
    const counted = usage.counted;
    if (counted === undefined || opts.onUsage === undefined) return;
    try {
      opts.onUsage(counted);
    } catch (error) {
      // Like onToken: accounting must not fail a call that was paid for.
      this.logger?.warn(
        `onUsage callback for task ${opts.taskId} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async taskRounds<S extends JsonSchema, T>(
    call: TaskCall<S, T>,
    opts: CallOptions,
    usage: CallUsage,
  ): Promise<T> {
    const messages: Message[] = [
      { role: 'system', content: call.prompt.system },
      { role: 'user', content: call.prompt.user },
    ];
    let reply = await this.chat(call, messages, opts, usage);
    let outcome = this.check(call, reply);
    if (outcome.problems.length > 0) {
      this.logger?.warn(
        `${this.provider} ${call.operation} for task ${opts.taskId}: unusable reply (${outcome.problems.join('; ')}); asking once for a repair`,
      );
      messages.push(
        { role: 'assistant', content: reply.content },
        { role: 'user', content: repairPrompt(outcome.problems) },
      );
      reply = await this.chat(call, messages, opts, usage);
      outcome = this.check(call, reply);
    }
    if (outcome.value === undefined || outcome.problems.length > 0) {
      throw new LlmOutputError(
        `${this.provider} gave an unusable ${call.operation} reply after one repair attempt: ${outcome.problems.join('; ')}`,
        this.context(call.operation, opts),
        outcome.problems,
        reply.content,
      );
    }
    return outcome.value;
  }

  private check<S extends JsonSchema, T>(
    call: TaskCall<S, T>,
    reply: ChatReply,
  ): { value: T | undefined; problems: string[] } {
    const parsed = parseJsonReply(call.reply, reply.content);
    if (!parsed.ok) {
      const cutOff =
        reply.finishReason === 'length' ? ['the reply was cut off at the token limit; be more concise'] : [];
      return { value: undefined, problems: [...parsed.problems, ...cutOff] };
    }
    const shaped = call.shape(parsed.value);
    return { value: shaped.value, problems: shaped.problems };
  }

  /** A chat completion in the current output mode, stepping down the mode on a 400. */
  private async chat<S extends JsonSchema, T>(
    call: TaskCall<S, T>,
    messages: readonly Message[],
    opts: CallOptions,
    usage: CallUsage,
  ): Promise<ChatReply> {
    for (;;) {
      const mode = this.mode;
      try {
        const reply = await this.withRetries(call.operation, opts, (signal) =>
          this.complete(call, messages, mode, opts, signal, usage),
        );
        if (reply.refusal !== '') {
          throw new LlmOutputError(
            `${this.provider} refused the ${call.operation} request: ${reply.refusal}`,
            this.context(call.operation, opts),
            [reply.refusal],
            reply.content,
          );
        }
        return reply;
      } catch (error) {
        const next = STEP_DOWN[mode];
        if (
          next !== undefined &&
          error instanceof LlmRequestError &&
          (error.status === 400 || error.status === 422) &&
          !isContextOverflow(error)
        ) {
          if (this.mode === mode) {
            this.mode = next;
            this.logger?.warn(
              `${this.provider} rejected response_format ${mode} (${error.message}); using ${next} from now on`,
            );
          }
          continue;
        }
        throw error;
      }
    }
  }

  private async complete<S extends JsonSchema, T>(
    call: TaskCall<S, T>,
    messages: readonly Message[],
    mode: OutputMode,
    opts: CallOptions,
    signal: AbortSignal,
    usage: CallUsage,
  ): Promise<ChatReply> {
    const body: ChatCompletionCreateParamsBase = {
      model: this.model,
      messages: withSchema(messages, mode, call.schema),
    };
    if (mode === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: call.name, strict: true, schema: call.schema },
      };
    } else if (mode === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    const request = { signal, timeout: this.timeoutMs, maxRetries: 0 };
    usage.requested();

    if (opts.onToken === undefined) {
      const completion = await this.client.chat.completions.create({ ...body, stream: false }, request);
      this.reportUsage(call.operation, opts, completion.usage);
      const choice = completion.choices[0];
      usage.answered(completion.model, completion.id, completion.usage, choice?.finish_reason);
      return {
        content: choice?.message.content ?? '',
        finishReason: choice?.finish_reason ?? null,
        refusal: choice?.message.refusal ?? '',
      };
    }

    // The last chunk then carries the usage (servers that do not know the option ignore it).
    const stream = await this.client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      request,
    );
    let content = '';
    let refusal = '';
    let finishReason: string | null = null;
    let model: string | undefined;
    let id: string | undefined;
    let counted: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      model ??= chunk.model;
      id ??= chunk.id;
      counted = chunk.usage ?? counted;
      const choice = chunk.choices[0];
      const delta = choice?.delta.content;
      if (delta !== undefined && delta !== null && delta !== '') {
        content += delta;
        this.forward(opts, delta);
      }
      refusal += choice?.delta.refusal ?? '';
      finishReason = choice?.finish_reason ?? finishReason;
    }
    // The SDK ends a stream quietly when its request is aborted; an abort is not a complete reply.
    if (signal.aborted) throw new APIUserAbortError();
    this.reportUsage(call.operation, opts, counted);
    usage.answered(model, id, counted, finishReason);
    return { content, finishReason, refusal };
  }

  private reportUsage(
    operation: LlmOperation,
    opts: CallOptions,
    usage: CompletionUsage | null | undefined,
  ): void {
    this.options.onUsage?.({
      operation,
      taskId: opts.taskId,
      tenantId: opts.tenantId,
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
    });
  }

  /** Runs `attempt` with a deadline each time, retrying retriable failures with backoff. */
  private async withRetries<R>(
    operation: LlmOperation,
    opts: CallOptions,
    attempt: (signal: AbortSignal) => Promise<R>,
  ): Promise<R> {
    for (let number = 1; ; number += 1) {
      await this.options.beforeRequest?.({ operation, taskId: opts.taskId });
      try {
        return await this.once(operation, opts, number, attempt);
      } catch (thrown) {
        const error =
          thrown instanceof LlmError ? thrown : this.toLlmError(thrown, operation, opts, number, false);
        if (!error.retriable || number > this.maxRetries) throw error;
        const delayMs = this.retryDelay(error, number);
        if (delayMs === undefined) throw error;
        this.logger?.warn(
          `${this.provider} ${operation} for task ${opts.taskId} failed (${error.name}: ${error.message}); retry ${number} of ${this.maxRetries} in ${delayMs} ms`,
        );
        this.options.onRetry?.({ operation, taskId: opts.taskId, attempt: number, delayMs, error });
        await this.sleep(delayMs, operation, opts);
      }
    }
  }

  private async once<R>(
    operation: LlmOperation,
    opts: CallOptions,
    number: number,
    attempt: (signal: AbortSignal) => Promise<R>,
  ): Promise<R> {
    if (opts.signal?.aborted === true) throw this.aborted(operation, opts, number);
    const controller = new AbortController();
    const abort = (): void => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', abort, { once: true });
    // The SDK's own timeout stops at the response headers; this deadline also covers the stream.
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      return await attempt(controller.signal);
    } catch (thrown) {
      throw this.toLlmError(thrown, operation, opts, number, timedOut);
    } finally {
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', abort);
    }
  }

  private retryDelay(error: LlmError, attempt: number): number | undefined {
    const retryAfterMs =
      error instanceof LlmRateLimitError || error instanceof LlmServerError ? error.retryAfterMs : undefined;
    if (retryAfterMs !== undefined)
      return retryAfterMs <= this.backoff.maxRetryAfterMs ? retryAfterMs : undefined;
    const random = this.options.random ?? Math.random;
    return backoffDelay(attempt, { ...this.backoff, random: () => 0.5 + 0.5 * random() });
  }

  private sleep(ms: number, operation: LlmOperation, opts: CallOptions): Promise<void> {
    const { signal } = opts;
    if (signal?.aborted === true) return Promise.reject(this.aborted(operation, opts));
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(this.aborted(operation, opts));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private forward(opts: CallOptions, delta: string): void {
    try {
      opts.onToken?.(delta);
    } catch (error) {
      // Progress reporting must not fail a call that is being paid for.
      this.logger?.warn(
        `onToken callback for task ${opts.taskId} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private context(
    operation: LlmOperation,
    opts: CallOptions,
    attempts?: number,
    cause?: unknown,
  ): LlmErrorContext {
    return { provider: this.provider, operation, taskId: opts.taskId, attempts, cause };
  }

  private aborted(operation: LlmOperation, opts: CallOptions, attempts?: number): LlmAbortedError {
    return new LlmAbortedError(
      `${this.provider} ${operation} for task ${opts.taskId} aborted`,
      this.context(operation, opts, attempts, opts.signal?.reason),
    );
  }

  /** Translates SDK and network failures into the LlmError hierarchy, once. */
  private toLlmError(
    thrown: unknown,
    operation: LlmOperation,
    opts: CallOptions,
    attempts: number,
    timedOut: boolean,
  ): LlmError {
    if (thrown instanceof LlmError) return thrown;
    if (opts.signal?.aborted === true) return this.aborted(operation, opts, attempts);
    const context = this.context(operation, opts, attempts, thrown);
    const what = `${this.provider} ${operation} for task ${opts.taskId}`;
    if (timedOut || thrown instanceof APIConnectionTimeoutError)
      return new LlmTimeoutError(`${what} timed out after ${this.timeoutMs} ms`, context);
    if (thrown instanceof APIUserAbortError) return this.aborted(operation, opts, attempts);
    if (thrown instanceof APIConnectionError)
      return new LlmConnectionError(`${what}: cannot reach the endpoint (${thrown.message})`, context);
    if (thrown instanceof APIError) {
      const { status, headers } = thrown as APIError<number | undefined, Headers | undefined>;
      const message = `${what}: HTTP ${status ?? 'stream error'} ${thrown.message}`;
      const retryAfterMs = retryAfter(headers);
      if (status === undefined) return new LlmServerError(message, context, undefined);
      if (status === 429) return new LlmRateLimitError(message, context, retryAfterMs);
      if (status === 408) return new LlmTimeoutError(message, context);
      if (status >= 500) return new LlmServerError(message, context, status, retryAfterMs);
      if (status === 401 || status === 403)
        return new LlmRequestError(
          `${what}: the API key was refused (HTTP ${status}: ${thrown.message})`,
          context,
          status,
        );
      return new LlmRequestError(message, context, status);
    }
    // Anything else escaped the HTTP layer mid-response (a socket closed under a stream, say).
    return new LlmConnectionError(
      `${what}: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
      context,
    );
  }
}

/** Messages as sent; in modes without server-side schema enforcement the schema goes into the system prompt. */
function withSchema(
  messages: readonly Message[],
  mode: OutputMode,
  schema: JsonSchema,
): ChatCompletionMessageParam[] {
  return messages.map((message, index) =>
    index === 0 && message.role === 'system' && mode !== 'json_schema'
      ? { ...message, content: `${message.content}\n${schemaInstruction(schema)}` }
      : { ...message },
  );
}

function isContextOverflow(error: LlmRequestError): boolean {
  const cause = error.cause;
  return (
    cause instanceof APIError &&
    (cause.code === 'context_length_exceeded' || /context length|maximum context/i.test(cause.message))
  );
}

/** Milliseconds the server asked us to wait (Retry-After in seconds or as a date, or retry-after-ms). */
export function retryAfter(headers: Headers | undefined): number | undefined {
  const millis = headers?.get('retry-after-ms');
  if (millis !== null && millis !== undefined && millis.trim() !== '' && Number.isFinite(Number(millis)))
    return Math.max(0, Number(millis));
  const value = headers?.get('retry-after');
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

import { type Draft, type Plan } from '@tributary/contracts';
import {
  type CallOptions,
  type DraftInput,
  type LlmLogger,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
  type TokenUsage,
} from '../port';
import { type CallMeta, type CallRecorder, type JournalScope } from './call-recorder';
import { stableHash } from '@tributary/platform';
import { GEN_AI, inSpan, type Span, SpanKind, TRIBUTARY } from '@tributary/tracing';
import { ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';

/** Bump when the meaning of a recorded result changes, so old journal entries stop matching. */
export const CALL_KEY_VERSION = 2;

export type RecordedMethod = 'plan' | 'draft' | 'review';

/** A call's result, and whether the journal answered it. */
interface Outcome<T> {
  readonly result: T;
  readonly replayed: boolean;
  readonly ms: number;
}

export interface RecordedLlmStats {
  /** Calls passed to the wrapped port. */
  readonly made: number;
  /** Calls answered from the journal. */
  readonly replayed: number;
  /** Results that could not be written to the journal (the result was still returned). */
  readonly recordFailures: number;
}

/**
 * The key of one call: sha256 over the stable JSON of the method, the provider, the tenant and the
 * inputs. The task id, signal and token callback are not inputs: the same question asked for another
 * task of the same tenant is the same call, which makes the journal a cache for repeated prompts too.
 * The tenant is: a record is never shared across tenants, so the time an answer takes says nothing
 * about what another tenant asked.
 */
export function callKey(method: RecordedMethod, provider: string, tenantId: string, input: unknown): string {
  return stableHash({ v: CALL_KEY_VERSION, method, provider, tenantId, input });
}

/**
 * Decorates a port with a call journal: each call's result is looked up by {@link callKey} first
 * and recorded after it completes, with the tokens the model counted for it (`onUsage`). A replayed call streams no tokens. Identical calls in flight
 * at the same time share one underlying call.
 *
 * With a {@link JournalScope} (`opts.journal`), a first delivery skips the journal read (only the
 * recorder's memory of recent calls is asked) and the record is written while the caller goes on:
 * the write is handed to the scope, whose owner waits for it before publishing the step's result.
 */
export class RecordedLlm implements LlmPort {
  readonly provider: string;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Records being written, by key: a caller served the same result waits for (or is handed) the write too. */
  private readonly writing = new Map<string, Promise<void>>();
  private counts = { made: 0, replayed: 0, recordFailures: 0 };

  constructor(
    private readonly inner: LlmPort,
    private readonly recorder: CallRecorder,
    private readonly logger?: LlmLogger,
    /** Told of every call answered from the journal (metrics). */
    private readonly onReplay?: (method: RecordedMethod, tenantId: string) => void,
  ) {
    this.provider = inner.provider;
  }

  plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    return this.recorded('plan', input, opts, (callOpts) => this.inner.plan(input, callOpts));
  }

  draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    return this.recorded('draft', input, opts, (callOpts) => this.inner.draft(input, callOpts));
  }

  review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    return this.recorded('review', input, opts, (callOpts) => this.inner.review(input, callOpts));
  }

  stats(): RecordedLlmStats {
    return { ...this.counts };
  }

  /**
   * Every call is a `chat <model>` client span (GenAI semantic conventions) that says whether the
   * journal answered it; the adapter that asks a model adds the tokens and finish reasons to it.
   */
  private recorded<T>(
    method: RecordedMethod,
    input: unknown,
    opts: CallOptions,
    call: (opts: CallOptions) => Promise<T>,
  ): Promise<T> {
    const { model, providerName, host } = describeProvider(this.provider);
    return inSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [GEN_AI.operationName]: 'chat',
          [GEN_AI.providerName]: providerName,
          [GEN_AI.requestModel]: model,
          ...(host === undefined ? {} : { [ATTR_SERVER_ADDRESS]: host }),
          [TRIBUTARY.llmOperation]: method,
          [TRIBUTARY.taskId]: opts.taskId,
          [TRIBUTARY.tenantId]: opts.tenantId,
        },
      },
      (span) => {
        const key = callKey(method, this.provider, opts.tenantId, input);
        let shared = this.inFlight.get(key) as Promise<Outcome<T>> | undefined;
        const joined = shared !== undefined;
        if (shared === undefined) {
          shared = this.lookupOrCall(key, method, opts, call, span).finally(() => this.inFlight.delete(key));
          this.inFlight.set(key, shared);
        } else {
          span.setAttribute(TRIBUTARY.llmShared, true);
        }
        return shared.then(({ result, replayed, ms }) => {
          opts.journal?.noteCall?.(
            joined
              ? { key, method, via: 'shared' }
              : replayed
                ? { key, method, via: 'journal' }
                : { key, method, via: 'called', ms },
          );
          return this.durableFor(opts.journal, key, result);
        });
      },
    );
  }

  private async lookupOrCall<T>(
    key: string,
    method: RecordedMethod,
    opts: CallOptions,
    call: (opts: CallOptions) => Promise<T>,
    span: Span,
  ): Promise<Outcome<T>> {
    // A journal that cannot be read fails the call: calling the model blind could pay twice.
    const recorded = opts.journal?.firstDelivery ? this.recorder.peek(key) : await this.recorder.get(key);
    span.setAttribute(TRIBUTARY.llmJournalHit, recorded !== undefined && recorded !== null);
    if (recorded !== undefined && recorded !== null) {
      this.counts.replayed += 1;
      this.onReplay?.(method, opts.tenantId);
      this.logger?.debug?.(
        `${this.provider} ${method} for task ${opts.taskId} replayed from the call journal (${key.slice(0, 12)})`,
      );
      return { result: recorded as T, replayed: true, ms: 0 };
    }
    this.counts.made += 1;
    let usage: TokenUsage | undefined;
    const started = performance.now();
    const result = await call({
      ...opts,
      onUsage: (counted) => {
        usage = counted;
        opts.onUsage?.(counted);
      },
    });
    const ms = Math.round(performance.now() - started);
    const write = this.record(key, result, { taskId: opts.taskId, method, durationMs: ms, ...usage });
    this.writing.set(key, write);
    void write.then(() => {
      if (this.writing.get(key) === write) this.writing.delete(key);
    });
    return { result, replayed: false, ms };
  }

  /** Never rejects: the result is sound, and losing its record only means a redelivery would call again. */
  private async record(key: string, result: unknown, meta: CallMeta): Promise<void> {
    try {
      await this.recorder.put(key, result, meta);
    } catch (error) {
      this.counts.recordFailures += 1;
      this.logger?.warn(
        `could not record ${meta.method} for task ${meta.taskId} in the call journal: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The result once its record is as durable as the caller needs: handed to its scope, or written. */
  private async durableFor<T>(scope: JournalScope | undefined, key: string, result: T): Promise<T> {
    const write = this.writing.get(key);
    if (write !== undefined) {
      if (scope) scope.pending(write);
      else await write;
    }
    return result;
  }
}

/**
 * The GenAI provider name, model and server of a port's `provider` ("openai:<model>@<host>", or the
 * offline recommender's "offline", which is no model: its spans name it as what it is).
 */
export function describeProvider(provider: string): { providerName: string; model: string; host?: string } {
  const match = /^openai:(.*)@([^@]*)$/.exec(provider);
  if (match) return { providerName: 'openai', model: match[1] ?? provider, host: match[2] };
  return { providerName: provider, model: provider };
}

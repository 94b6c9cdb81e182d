import { type ReplayConfig } from '@tributary/config';
import { type Draft, type Plan } from '@tributary/contracts';
import {
  type CallOptions,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ReviewInput,
  type ReviewJudgement,
} from '@tributary/llm';
import { isDuplicateKey, namespacedCollection } from '@tributary/platform';
import { type Connection } from 'mongoose';
import { TaskFailure } from './task-failure';

/** A call the journal of the recording could not answer, about to be made live. */
export interface LiveCall {
  /** `plan`, `draft`, `review`, or a tool such as `tool:retrieve`. */
  readonly method: string;
  readonly taskId: string;
}

/** The replay's budget of live calls, shared by its agents: each `take` uses one, if one is left. */
export interface LiveCallBudget {
  take(): Promise<boolean>;
}

interface SlotDoc {
  _id: string;
  takenAt: Date;
}

/**
 * The budget as slots in the replay's own store collection, shared by every agent process of the
 * replay: taking one inserts the document `slot-<n>` for the lowest n this process has not seen taken,
 * moving on when another process took it first (a duplicate `_id`). The store's unique `_id` is what
 * makes it exact: a read-modify-write counter (`$inc` through findAndModify) let two concurrent
 * takers both see the last slot free on FerretDB.
 */
export class MongoLiveCallBudget implements LiveCallBudget {
  /** The lowest slot this process has not seen taken. */
  private next = 1;

  constructor(
    private readonly connection: Connection,
    private readonly namespace: string,
    private readonly limit: number,
  ) {}

  async take(): Promise<boolean> {
    const slots = this.connection.collection<SlotDoc>(namespacedCollection('replay_budget', this.namespace));
    while (this.next <= this.limit) {
      const slot = this.next;
      this.next += 1;
      try {
        await slots.insertOne({ _id: `slot-${slot}`, takenAt: new Date() });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    return false;
  }
}

/**
 * What a replay allows past the call journal: nothing without `--live-llm` (the task fails with
 * `replay-journal-miss`), else calls while the shared budget lasts (then `replay-llm-budget-spent`).
 * Either failure is the task's, clear in its task.failed event and in the diff, never a hang.
 */
export class ReplayGate {
  /**
   * @param modelBehindEndpoint the agent's model is reached over HTTP (an OpenAI-compatible endpoint),
   * whose adapter calls `admitRequest` before every request; otherwise (the offline provider) a model
   * call takes from the budget once, here.
   */
  constructor(
    private readonly config: ReplayConfig,
    private readonly budget: LiveCallBudget,
    private readonly modelBehindEndpoint = false,
  ) {}

  readonly admit = async (call: LiveCall): Promise<void> => {
    if (!this.config.liveLlm) {
      throw new TaskFailure(
        'replay-journal-miss',
        `The replay has no recorded answer for a ${call.method} call, and live calls are off (--live-llm).`,
        { detail: `replay: no journal record for ${call.method} of task ${call.taskId}; live calls are off` },
      );
    }
    // A model behind an endpoint takes from the budget per request (admitRequest); calls that make
    // no request (a tool, the offline provider) per call.
    if (!this.requestsCounted(call.method)) await this.take(call);
  };

  /** Whether the budget is taken per request by the model adapter rather than per call here. */
  private requestsCounted(method: string): boolean {
    return this.modelBehindEndpoint && !method.startsWith('tool:');
  }

  /** Before each request to a model's endpoint (retries and repair rounds included): one from the budget. */
  readonly admitRequest = async (request: { operation: string; taskId: string }): Promise<void> => {
    await this.take({ method: request.operation, taskId: request.taskId });
  };

  private async take(call: LiveCall): Promise<void> {
    if (!(await this.budget.take())) {
      throw new TaskFailure(
        'replay-llm-budget-spent',
        `The replay's budget of ${this.config.llmBudget} live call(s) is spent; a ${call.method} call was not made.`,
        {
          detail: `replay: budget of ${this.config.llmBudget} live calls spent at ${call.method} of task ${call.taskId}`,
        },
      );
    }
  }
}

/**
 * The model port of a replaying agent: it sits under the call journal, so it is reached only by
 * calls the journal could not answer, and lets each through only if the replay's gate admits it.
 */
export class GatedLlm implements LlmPort {
  readonly provider: string;

  constructor(
    private readonly inner: LlmPort,
    private readonly gate: ReplayGate,
  ) {
    this.provider = inner.provider;
  }

  async plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    await this.gate.admit({ method: 'plan', taskId: opts.taskId });
    return this.inner.plan(input, opts);
  }

  async draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    await this.gate.admit({ method: 'draft', taskId: opts.taskId });
    return this.inner.draft(input, opts);
  }

  async review(input: ReviewInput, opts: CallOptions): Promise<ReviewJudgement> {
    await this.gate.admit({ method: 'review', taskId: opts.taskId });
    return this.inner.review(input, opts);
  }
}

import { Logger } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import {
  errorClassName,
  errorMessage,
  type EventProducer,
  isRetriable,
  type UntypedDelivery,
} from '@tributary/kafka';
import { isTransient } from '@tributary/platform';
import { failSpan, inSpan, type Span, TRIBUTARY } from '@tributary/tracing';
import { type CancellationRegistry } from './cancellation';
import { ProgressReporter } from './progress';
import { StepJournal } from './step-journal';
import { DeadlineExceededError, publicFailure } from './task-failure';

export interface StepContext {
  /** Aborted when the task is cancelled, or when this consumer lost the partition or is shutting down. */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  /** Pass it with every LLM call (`journal`) and journaled tool call, and hand it writes the result depends on. */
  readonly journal: StepJournal;
  /**
   * Waits for the step's queued progress events and journal writes: await it right before emitting
   * the step's result, so the result comes after its progress and a crash after it finds the journal.
   */
  readonly settle: () => Promise<void>;
}

type TaskDelivery = UntypedDelivery & {
  value: { taskId: string; tenantId: string; request?: { deadlineAt?: number | null } };
};

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2_147_483_647;

export interface AgentStepOptions {
  /**
   * Past its deadline by more than this, a task that reaches a step is left to the gateway's
   * deadline consumer, which ends it (if nothing else did) at the deadline plus this grace.
   */
  readonly deadlineGraceMs: number;
  readonly now?: () => number;
  /**
   * A replay re-runs recorded tasks: every call looks the journal up (also on a first delivery, which
   * otherwise skips the read: the recording's records are what answer it), and the recorded deadlines,
   * long past, are not enforced (the replay command bounds the run instead).
   */
  readonly replay?: boolean;
}

/**
 * The frame around every agent step: skip cancelled tasks, abort work when a cancel arrives or the
 * task's deadline passes (then the task fails with deadline-exceeded),
 * report progress, and turn failures into either a retry (rethrow a retriable error while attempts
 * remain) or a terminal task.failed event. On the last attempt a retriable failure does both: the
 * task ends failed for its client, and the message goes to the dead-letter topic for operators.
 * Whatever fails inside the frame (the cancellation check included) takes one of those two ways,
 * so a step never leaves its task without an end. The client reads a code and a sentence of ours
 * (publicFailure); the error itself goes to the log. A transient failure (the store or the registry
 * unavailable) never fails the task: it is rethrown, and the agents' consumer groups wait for the
 * dependency in place (failure policy `hold-partition`).
 */
export class AgentStep {
  private readonly logger = new Logger(AgentStep.name);

  constructor(
    private readonly producer: EventProducer,
    private readonly cancellations: CancellationRegistry,
    private readonly maxAttempts: number,
    private readonly options: AgentStepOptions,
  ) {}

  /**
   * Runs one step of a task in a `stage <stage>` span (a child of the delivery's process span), which
   * says how the step left the task: `tributary.stage.outcome` completed, retry, failed (with the
   * failure code, deadline-exceeded among them), cancelled, skipped-cancelled or skipped-past-deadline.
   */
  run(delivery: TaskDelivery, stage: string, work: (context: StepContext) => Promise<void>): Promise<void> {
    const { taskId, tenantId } = delivery.value;
    return inSpan(
      `stage ${stage}`,
      {
        attributes: {
          [TRIBUTARY.stage]: stage,
          [TRIBUTARY.taskId]: taskId,
          [TRIBUTARY.tenantId]: tenantId,
          [TRIBUTARY.attempt]: delivery.attempt,
          [TRIBUTARY.firstDelivery]: delivery.firstDelivery,
        },
      },
      (span) => this.runStep(delivery, stage, work, span),
    );
  }

  private async runStep(
    delivery: TaskDelivery,
    stage: string,
    work: (context: StepContext) => Promise<void>,
    span: Span,
  ): Promise<void> {
    const { taskId, tenantId } = delivery.value;
    const outcome = (value: string, attributes: Record<string, string | boolean> = {}): void => {
      span.setAttribute(TRIBUTARY.stageOutcome, value);
      for (const [key, attribute] of Object.entries(attributes)) span.setAttribute(key, attribute);
    };
    const firstDelivery = delivery.firstDelivery;
    const now = this.options.now ?? Date.now;
    // Events from before deadlines carry none.
    const deadlineAt = this.options.replay === true ? null : (delivery.value.request?.deadlineAt ?? null);
    const deadline = new AbortController();
    let deadlineTimer: NodeJS.Timeout | undefined;
    // Tracked before the check, so a cancel that arrives while the store is asked still aborts the work.
    const scope = this.cancellations.track(tenantId, taskId);
    const signal = AbortSignal.any([scope.signal, deadline.signal, delivery.signal]);
    const progress = new ProgressReporter(this.producer, delivery, stage);
    const journal = new StepJournal(firstDelivery && this.options.replay !== true);
    const settle = async (): Promise<void> => {
      await Promise.all([progress.flushTokens(), journal.settle()]);
    };
    try {
      if (await this.cancellations.isCancelled(tenantId, taskId, { firstDelivery })) {
        this.logger.log(`task ${taskId}: cancelled, ${stage} skipped`);
        outcome('skipped-cancelled', { [TRIBUTARY.cancelled]: true });
        return;
      }
      if (deadlineAt !== null) {
        const left = deadlineAt - now();
        if (left <= -this.options.deadlineGraceMs) {
          // The gateway's deadline consumer has ended it, or will: one terminal event, not two.
          this.logger.log(`task ${taskId}: past its deadline and grace, ${stage} skipped`);
          outcome('skipped-past-deadline', { [TRIBUTARY.failureCode]: 'deadline-exceeded' });
          return;
        }
        if (left <= 0) throw new DeadlineExceededError(taskId, deadlineAt);
        // Aborts the work's calls in flight (an LLM request); the failure below names the deadline.
        deadlineTimer = setTimeout(
          () => deadline.abort(new DeadlineExceededError(taskId, deadlineAt)),
          Math.min(left, MAX_TIMER_MS),
        );
      }
      await work({ signal, progress, journal, settle });
      await settle();
      this.logger.debug(`task ${taskId}: ${stage} done (attempt ${delivery.attempt})`);
      outcome('completed');
    } catch (error) {
      // Whatever the step recorded is written before the delivery is retried, or the task fails.
      await journal.settle().catch(() => undefined);
      if (scope.signal.aborted) {
        this.logger.log(`task ${taskId}: cancelled during ${stage}`);
        outcome('cancelled', { [TRIBUTARY.cancelled]: true });
        return;
      }
      if (delivery.signal.aborted) {
        outcome('abandoned');
        throw error;
      }
      // Past the deadline nothing is worth trying again, whatever the abort made the work throw.
      const cause: unknown = deadline.signal.aborted ? deadline.signal.reason : error;
      if (isTransient(cause)) {
        this.logger.warn(
          `task ${taskId}: ${stage} waits for a dependency (attempt ${delivery.attempt}): ${errorMessage(cause)}`,
        );
        throw error;
      }
      const retriable = isRetriable(cause);
      if (retriable && delivery.attempt < this.maxAttempts) {
        this.logger.warn(
          `task ${taskId}: ${stage} failed (attempt ${delivery.attempt}), will retry: ${errorMessage(error)}`,
        );
        outcome('retry');
        throw error;
      }
      const failure = publicFailure(cause, stage, delivery.attempt);
      outcome('failed', { [TRIBUTARY.failureCode]: failure.code });
      failSpan(span, cause, failure.code);
      this.logger.error(
        `task ${taskId}: ${stage} failed (${failure.code}, attempt ${delivery.attempt}): ${errorClassName(error)}: ${errorMessage(error)}`,
      );
      // The failure comes after whatever progress the step had queued (a failed publish is moot now).
      await progress.flushTokens().catch(() => undefined);
      await this.producer.emit(
        TOPICS.taskFailed,
        { taskId, tenantId, stage, code: failure.code, reason: failure.reason, failedAt: Date.now() },
        { causedBy: delivery.envelope, headers: journal.headers() },
      );
      if (retriable) throw error;
    } finally {
      clearTimeout(deadlineTimer);
      scope.release();
    }
  }
}

import { Logger } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import { type EventProducer, isRetriable, type UntypedDelivery, errorMessage } from '@tributary/kafka';
import { isTransient } from '@tributary/platform';
import { type CancellationRegistry } from './cancellation';
import { ProgressReporter } from './progress';
import { StepJournal } from './step-journal';

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

type TaskDelivery = UntypedDelivery & { value: { taskId: string; tenantId: string } };

/**
 * The frame around every agent step: skip cancelled tasks, abort work when a cancel arrives,
 * report progress, and turn failures into either a retry (rethrow a retriable error while attempts
 * remain) or a terminal task.failed event. On the last attempt a retriable failure does both: the
 * task ends failed for its client, and the message goes to the dead-letter topic for operators. A
 * transient failure (the store or the registry unavailable) never fails the task: it is rethrown, and
 * the agents' consumer groups wait for the dependency in place (failure policy `hold-partition`).
 */
export class AgentStep {
  private readonly logger = new Logger(AgentStep.name);

  constructor(
    private readonly producer: EventProducer,
    private readonly cancellations: CancellationRegistry,
    private readonly maxAttempts: number,
  ) {}

  async run(
    delivery: TaskDelivery,
    stage: string,
    work: (context: StepContext) => Promise<void>,
  ): Promise<void> {
    const { taskId, tenantId } = delivery.value;
    const firstDelivery = delivery.firstDelivery;
    if (await this.cancellations.isCancelled(tenantId, taskId, { firstDelivery })) {
      this.logger.log(`task ${taskId}: cancelled, ${stage} skipped`);
      return;
    }
    const scope = this.cancellations.track(tenantId, taskId);
    const signal = AbortSignal.any([scope.signal, delivery.signal]);
    const progress = new ProgressReporter(this.producer, delivery, stage);
    const journal = new StepJournal(firstDelivery);
    const settle = async (): Promise<void> => {
      await Promise.all([progress.flushTokens(), journal.settle()]);
    };
    try {
      await work({ signal, progress, journal, settle });
      await settle();
    } catch (error) {
      // Whatever the step recorded is written before the delivery is retried, or the task fails.
      await journal.settle().catch(() => undefined);
      if (scope.signal.aborted) {
        this.logger.log(`task ${taskId}: cancelled during ${stage}`);
        return;
      }
      if (delivery.signal.aborted) throw error;
      if (isTransient(error)) {
        this.logger.warn(
          `task ${taskId}: ${stage} waits for a dependency (attempt ${delivery.attempt}): ${errorMessage(error)}`,
        );
        throw error;
      }
      const retriable = isRetriable(error);
      if (retriable && delivery.attempt < this.maxAttempts) {
        this.logger.warn(
          `task ${taskId}: ${stage} failed (attempt ${delivery.attempt}), will retry: ${errorMessage(error)}`,
        );
        throw error;
      }
      const reason = retriable
        ? `${stage} failed after ${delivery.attempt} attempts: ${errorMessage(error)}`
        : `${stage} failed: ${errorMessage(error)}`;
      this.logger.error(`task ${taskId}: ${reason}`);
      // The failure comes after whatever progress the step had queued (a failed publish is moot now).
      await progress.flushTokens().catch(() => undefined);
      await this.producer.emit(
        TOPICS.taskFailed,
        { taskId, tenantId, stage, reason, failedAt: Date.now() },
        { causedBy: delivery.envelope },
      );
      if (retriable) throw error;
    } finally {
      scope.release();
    }
  }
}

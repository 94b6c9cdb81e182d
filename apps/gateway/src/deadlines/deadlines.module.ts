import { Module } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { type FailurePolicySettings, KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ReadModelModule } from '../read-model/read-model.module';
import { SubmissionModule } from '../submission/submission.module';
import { DeadlineConsumer } from './deadline.consumer';
import { EndOverdueTaskUseCase } from './end-overdue-task.usecase';

/**
 * The store down: the check waits in place, its partition paused, for as long as it takes (the
 * policy of every store-bound group). A task not in the read model yet (the projection behind) is
 * checked again through the retry topic, 20 times (several minutes of backoff) before its dead letter.
 */
function deadlineFailurePolicy(config: TributaryConfig): FailurePolicySettings {
  return { onTransient: 'hold-partition', maxAttempts: Math.max(config.runtime.maxAttempts, 20) };
}

/**
 * Deferred checks wait in memory until due, one per task in flight; past this many the retry
 * topic pauses (the later ones are due later anyway, unless a short deadline follows long ones).
 */
const MAX_WAITING_CHECKS = 50_000;

/**
 * A deadline check is due minutes after its request and may run seconds late, so the group's fetches
 * wait for this much data or the fetch wait (3 s by default): one fetch per wait under a light load
 * instead of one per request and one per its retry-topic copy.
 */
const FETCH_MIN_BYTES = 256 * 1024;

/**
 * The deadline consumer group (`gateway-deadlines`). A new group starts at the topic's end
 * (options): a new deployment must not fail every task ever requested.
 */
@Module({
  imports: [ReadModelModule, SubmissionModule],
  providers: [
    EndOverdueTaskUseCase,
    {
      provide: DeadlineConsumer,
      useFactory: (
        runtime: KafkaRuntime,
        endOverdue: EndOverdueTaskUseCase,
        config: TributaryConfig,
        options: GatewayOptions,
      ) => {
        const { group, fromBeginning } = options.deadlines;
        const consumer = runtime.consumer({
          group,
          fromBeginning,
          failurePolicy: deadlineFailurePolicy(config),
          maxDelayed: MAX_WAITING_CHECKS,
          fetchMinBytes: FETCH_MIN_BYTES,
        });
        return new DeadlineConsumer(consumer, endOverdue, config.deadlines.graceMs);
      },
      inject: [KafkaRuntime, EndOverdueTaskUseCase, TRIBUTARY_CONFIG, GATEWAY_OPTIONS],
    },
  ],
})
export class DeadlinesModule {}

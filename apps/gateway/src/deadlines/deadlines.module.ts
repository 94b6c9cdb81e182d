import { Module } from '@nestjs/common';
import { type RuntimeConfig, type TributaryConfig } from '@tributary/config';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ReadModelModule } from '../read-model/read-model.module';
import { SubmissionModule } from '../submission/submission.module';
import { DeadlineConsumer } from './deadline.consumer';
import { EndOverdueTaskUseCase } from './end-overdue-task.usecase';

/**
 * A check that fails (the store down, the read model behind) is tried again for longer than the
 * runtime's default: 20 attempts, several minutes of backoff, before its dead letter.
 */
function deadlineRuntime(config: TributaryConfig): RuntimeConfig {
  return { ...config.runtime, maxAttempts: Math.max(config.runtime.maxAttempts, 20) };
}

/**
 * Deferred checks wait in memory until due, one per task in flight; past this many the retry
 * topic pauses (the later ones are due later anyway, unless a short deadline follows long ones).
 */
const MAX_WAITING_CHECKS = 50_000;

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
          runtime: deadlineRuntime(config),
          maxDelayed: MAX_WAITING_CHECKS,
        });
        return new DeadlineConsumer(consumer, endOverdue, config.deadlines.graceMs);
      },
      inject: [KafkaRuntime, EndOverdueTaskUseCase, TRIBUTARY_CONFIG, GATEWAY_OPTIONS],
    },
  ],
})
export class DeadlinesModule {}

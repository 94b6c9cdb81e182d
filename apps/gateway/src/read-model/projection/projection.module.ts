import { Module } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../../config/tokens';
import { ReadModelModule } from '../read-model.module';
import { ProjectionApplier } from './projection-applier';
import { ProjectionConsumer } from './projection.consumer';

/**
 * The projection consumer group (`gateway-projection`): every task topic, applied to the read model
 * in group-committed batches. Every effect is a store write, so a store outage holds the partition
 * and retries in place until the store answers (never a dead letter, which would leave the task
 * unfinished in the read model); other failures follow the runtime's retry budget, and an event of
 * another tenant's task is dead-lettered. A new group reads the topics' whole history (options).
 */
@Module({
  imports: [ReadModelModule],
  providers: [
    ProjectionApplier,
    {
      provide: ProjectionConsumer,
      useFactory: (
        runtime: KafkaRuntime,
        applier: ProjectionApplier,
        config: TributaryConfig,
        options: GatewayOptions,
      ) => {
        const { group, fromBeginning, maxBatch, lingerMs } = options.projection;
        return new ProjectionConsumer(
          runtime.consumer({
            group,
            fromBeginning,
            // A handler only waits for the group write that carries its event: with the runtime's
            // slots (16) a write carried at most 16 events, however deep the backlog. Twice the
            // batch keeps the next write filling while one is under way.
            runtime: { ...config.runtime, concurrency: 2 * maxBatch },
            failurePolicy: { onTransient: 'hold-partition' },
          }),
          applier,
          maxBatch,
          lingerMs,
        );
      },
      inject: [KafkaRuntime, ProjectionApplier, TRIBUTARY_CONFIG, GATEWAY_OPTIONS],
    },
  ],
})
export class ProjectionModule {}

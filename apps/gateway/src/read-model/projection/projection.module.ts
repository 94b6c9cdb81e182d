import { Module } from '@nestjs/common';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../../config/gateway.options';
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
      useFactory: (runtime: KafkaRuntime, applier: ProjectionApplier, options: GatewayOptions) => {
        const { group, fromBeginning, maxBatch } = options.projection;
        return new ProjectionConsumer(
          runtime.consumer({ group, fromBeginning, failurePolicy: { onTransient: 'hold-partition' } }),
          applier,
          maxBatch,
        );
      },
      inject: [KafkaRuntime, ProjectionApplier, GATEWAY_OPTIONS],
    },
  ],
})
export class ProjectionModule {}

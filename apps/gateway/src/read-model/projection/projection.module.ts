import { Module } from '@nestjs/common';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../../config/gateway.options';
import { ReadModelModule } from '../read-model.module';
import { ProjectionApplier } from './projection-applier';
import { ProjectionConsumer } from './projection.consumer';

/**
 * The projection consumer group (`gateway-projection`): every task topic, applied to the read model
 * in group-committed batches. It reads the topics' whole history when the group is new, so a fresh
 * store is rebuilt by the projection itself.
 */
@Module({
  imports: [ReadModelModule],
  providers: [
    ProjectionApplier,
    {
      provide: ProjectionConsumer,
      useFactory: (runtime: KafkaRuntime, applier: ProjectionApplier, options: GatewayOptions) => {
        const { group, fromBeginning, maxBatch } = options.projection;
        return new ProjectionConsumer(runtime.consumer({ group, fromBeginning }), applier, maxBatch);
      },
      inject: [KafkaRuntime, ProjectionApplier, GATEWAY_OPTIONS],
    },
  ],
})
export class ProjectionModule {}

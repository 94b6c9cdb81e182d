import { Module } from '@nestjs/common';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { ReadModelModule } from '../read-model/read-model.module';
import { AcceptedHere } from '../read-model/accepted-here';
import { InFlightConsumer } from './in-flight.consumer';
import { InFlightRepository } from './in-flight.repository';
import { SubmissionModule } from './submission.module';

/**
 * The in-flight admission consumer group (`gateway-in-flight`): frees a tenant's slot when one of
 * its tasks ends. A new group starts at the topics' ends (options): a new deployment must not count
 * ends of tasks it never admitted. A store outage holds the partition and retries in place until the
 * store answers: a dead-lettered end would keep the tenant's slot taken for good.
 */
@Module({
  imports: [SubmissionModule, ReadModelModule],
  providers: [
    {
      provide: InFlightConsumer,
      useFactory: (
        runtime: KafkaRuntime,
        inFlight: InFlightRepository,
        acceptedHere: AcceptedHere,
        options: GatewayOptions,
      ) => {
        const { group, fromBeginning } = options.inFlight;
        return new InFlightConsumer(
          runtime.consumer({ group, fromBeginning, failurePolicy: { onTransient: 'hold-partition' } }),
          inFlight,
          acceptedHere,
        );
      },
      inject: [KafkaRuntime, InFlightRepository, AcceptedHere, GATEWAY_OPTIONS],
    },
  ],
})
export class InFlightModule {}

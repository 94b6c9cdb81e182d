import { Module } from '@nestjs/common';
import { KafkaRuntime } from '@tributary/kafka';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { InFlightConsumer } from './in-flight.consumer';
import { InFlightRepository } from './in-flight.repository';
import { SubmissionModule } from './submission.module';

/**
 * The in-flight admission consumer group (`gateway-in-flight`): frees a tenant's slot when one of
 * its tasks ends. A new group starts at the topics' ends (options): a new deployment must not count
 * ends of tasks it never admitted. Failures are retried with the runtime's default policy.
 */
@Module({
  imports: [SubmissionModule],
  providers: [
    {
      provide: InFlightConsumer,
      useFactory: (runtime: KafkaRuntime, inFlight: InFlightRepository, options: GatewayOptions) => {
        const { group, fromBeginning } = options.inFlight;
        return new InFlightConsumer(runtime.consumer({ group, fromBeginning }), inFlight);
      },
      inject: [KafkaRuntime, InFlightRepository, GATEWAY_OPTIONS],
    },
  ],
})
export class InFlightModule {}

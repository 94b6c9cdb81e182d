import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { type AcceptedHere } from '../read-model/accepted-here';
import { TERMINAL_TOPICS, type TerminalTopic } from '../task/status';
import { tenantId } from '../task/tenant';
import { type InFlightRepository } from './in-flight.repository';

/**
 * Frees a tenant's in-flight slot when one of its tasks ends (completed, failed or cancelled: any
 * terminal event ends a task, and a repeated end is a no-op). Its own consumer group, so slow
 * webhook receivers never hold back the count.
 */
export class InFlightConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(InFlightConsumer.name);

  constructor(
    /** The runtime's consumer of the group (its metrics, whenJoined); stopped by the KafkaRuntime. */
    readonly consumer: ParallelConsumer,
    inFlight: InFlightRepository,
    acceptedHere: AcceptedHere,
  ) {
    for (const [, topic] of TERMINAL_TOPICS) {
      consumer.handle(topic, async (delivery: Delivery<TerminalTopic>) => {
        const tenant = tenantId(delivery.envelope.tenantId);
        const { taskId } = delivery.value;
        // Accepted here without a ticket (no cap): no slot to free, nothing to read.
        if (acceptedHere.of(tenant, taskId)?.ticket === false) return;
        await inFlight.release(tenant, taskId);
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log('in-flight consumer started');
  }
}

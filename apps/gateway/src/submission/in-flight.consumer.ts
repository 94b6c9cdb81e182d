import { Logger } from '@nestjs/common';
import { type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { tenantId } from '../task/tenant';
import { type InFlightRepository } from './in-flight.repository';
import { TERMINAL_TOPICS, type TerminalTopic } from '../task/status';

/**
 * Frees a tenant's in-flight slot when one of its tasks ends (completed, failed or cancelled: any
 * terminal event ends a task, and a repeated end is a no-op). Its own consumer group, so slow
 * webhook receivers never hold back the count.
 */
export class InFlightConsumer {
  private readonly logger = new Logger(InFlightConsumer.name);
  private readonly joined: Promise<void>;

  constructor(
    private readonly consumer: ParallelConsumer,
    inFlight: InFlightRepository,
  ) {
    this.joined = new Promise<void>((resolve) => {
      consumer.kafkaConsumer.on(consumer.kafkaConsumer.events.GROUP_JOIN, () => resolve());
    });
    for (const [, topic] of TERMINAL_TOPICS) {
      consumer.handle(topic, (delivery: Delivery<TerminalTopic>) =>
        inFlight.release(tenantId(delivery.envelope.tenantId), delivery.value.taskId),
      );
    }
  }

  async start(): Promise<void> {
    await this.consumer.start();
    this.logger.log('in-flight consumer started');
  }

  whenJoined(): Promise<void> {
    return this.joined;
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }
}

import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { tenantId } from '../task/tenant';
import { type EndOverdueTaskUseCase } from './end-overdue-task.usecase';

/**
 * The deadline consumer group (`gateway-deadlines`): the backstop that ends every task no agent
 * ended by its deadline (an agent down, a backlog, an event lost to the dead-letter topic). It reads
 * task.requested and defers each one (`delivery.defer`) to the task's deadline plus the grace, through
 * the group's retry topic: a Kafka-native timer that holds no slot and survives restarts. When it
 * comes back, the task is ended unless the read model shows it ended (docs/adr/0010).
 */
export class DeadlineConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeadlineConsumer.name);

  constructor(
    /** The runtime's consumer of the group (its metrics, whenJoined); stopped by the KafkaRuntime. */
    readonly consumer: ParallelConsumer,
    endOverdue: EndOverdueTaskUseCase,
    graceMs: number,
    now: () => number = Date.now,
  ) {
    consumer.handle(TOPICS.taskRequested, async (delivery: Delivery<typeof TOPICS.taskRequested>) => {
      const { taskId, request } = delivery.value;
      // A task requested before deadlines has none.
      if (request.deadlineAt === null) return;
      const due = request.deadlineAt + graceMs;
      if (now() < due) {
        delivery.defer(due);
        return;
      }
      await endOverdue.execute({
        tenant: tenantId(delivery.envelope.tenantId),
        taskId,
        deadlineAt: request.deadlineAt,
        requested: delivery.envelope,
      });
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log('deadline consumer started');
  }
}

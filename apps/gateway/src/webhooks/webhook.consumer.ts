import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { TERMINAL_EVENTS, TERMINAL_TOPICS, type TerminalTopic } from '../task/status';
import { tenantId } from '../task/tenant';
import { type DeliverWebhookUseCase } from './deliver-webhook.usecase';
import { webhookType } from './webhook-payload';

/**
 * The webhooks consumer group (`gateway-webhooks`): its own consumer, off the request path, over
 * the terminal topics. A failed attempt throws, and the runtime retries it through the group's
 * retry topic (`tributary.internal.gateway-webhooks.retry.v1`) with exponential backoff.
 */
export class WebhookConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookConsumer.name);

  constructor(
    /** The runtime's consumer of the group (its metrics, whenJoined); stopped by the KafkaRuntime. */
    readonly consumer: ParallelConsumer,
    deliver: DeliverWebhookUseCase,
  ) {
    for (const [kind, topic] of TERMINAL_TOPICS) {
      const endsAs = webhookType(TERMINAL_EVENTS[kind]);
      consumer.handle(topic, (delivery: Delivery<TerminalTopic>) =>
        deliver.execute(
          {
            tenant: tenantId(delivery.envelope.tenantId),
            taskId: delivery.value.taskId,
            eventId: delivery.envelope.eventId,
            endsAs,
            occurredAt: new Date(delivery.envelope.occurredAt),
          },
          delivery.signal,
        ),
      );
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log('webhooks consumer started');
  }
}

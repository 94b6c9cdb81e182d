import { Logger } from '@nestjs/common';
import { type ConsumerMetrics, type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { tenantId } from '../task/tenant';
import { TERMINAL_EVENTS, TERMINAL_TOPICS, type TerminalTopic } from '../task/status';
import { type DeliverWebhookUseCase } from './deliver-webhook.usecase';
import { webhookType } from './webhook-payload';

/**
 * The webhooks consumer group (`gateway-webhooks`): its own consumer, off the request path, over
 * the terminal topics. A failed attempt throws, and the runtime retries it through the group's
 * retry topic (`tributary.internal.gateway-webhooks.retry.v1`) with exponential backoff.
 */
export class WebhookConsumer {
  private readonly logger = new Logger(WebhookConsumer.name);
  private readonly joined: Promise<void>;

  constructor(
    private readonly consumer: ParallelConsumer,
    deliver: DeliverWebhookUseCase,
  ) {
    this.joined = new Promise<void>((resolve) => {
      consumer.kafkaConsumer.on(consumer.kafkaConsumer.events.GROUP_JOIN, () => resolve());
    });
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

  async start(): Promise<void> {
    await this.consumer.start();
    this.logger.log('webhooks consumer started');
  }

  /** The runtime's counters: handled, retried, dead-lettered, lag per partition. */
  metrics(): ConsumerMetrics {
    return this.consumer.metrics();
  }

  whenJoined(): Promise<void> {
    return this.joined;
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }
}

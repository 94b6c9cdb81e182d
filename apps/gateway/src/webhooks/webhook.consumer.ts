import { Logger } from '@nestjs/common';
import { type TopicDefinition, TOPICS } from '@tributary/contracts';
import { type ConsumerMetrics, type Delivery, type ParallelConsumer } from '@tributary/kafka';
import { tenantId } from '../common/tenant';
import { type WebhookEventType } from '../persistence/webhook-delivery.repository';
import { type DeliverWebhookUseCase } from './deliver-webhook.usecase';

/** The terminal events and what each ends a task as (if it is the first to arrive). */
export const TERMINAL_TOPICS = [
  [TOPICS.recommendationReady, 'task.completed'],
  [TOPICS.taskFailed, 'task.failed'],
  [TOPICS.taskCancelRequested, 'task.cancelled'],
] as const satisfies readonly (readonly [TopicDefinition, WebhookEventType])[];

type TerminalTopic = (typeof TERMINAL_TOPICS)[number][0];

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
    for (const [topic, endsAs] of TERMINAL_TOPICS) {
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

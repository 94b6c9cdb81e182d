import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { ALL_TOPICS } from '@tributary/contracts';
import { EVENT_SERIALIZER, type EventSerializer, EventProducer, KafkaAdmin } from '@tributary/kafka';
import { MONGO_CONNECTION } from '@tributary/platform';
import { type Connection } from 'mongoose';
import { SseHub } from './streams/sse-hub';
import { TaskEventRepository } from './read-model/task-event.repository';
import { TaskRepository } from './read-model/task.repository';
import { type ProjectionConsumer } from './read-model/projection/projection.consumer';
import { ApiKeyRepository } from './auth/api-key.repository';
import { InFlightRepository } from './submission/in-flight.repository';
import { type InFlightConsumer } from './submission/in-flight.consumer';
import { IN_FLIGHT_CONSUMER, PROJECTION_CONSUMER, TRIBUTARY_CONFIG, WEBHOOK_CONSUMER } from './config/tokens';
import { type WebhookConsumer } from './webhooks/webhook.consumer';

/**
 * Start-up and shutdown of everything the gateway holds, in one place so the order is explicit.
 *
 * Start: indexes, topics, schemas, producer, projection consumer; HTTP listens after all of it.
 * Stop: end open event streams (before Nest closes the HTTP server, which waits for open
 * connections), then, once HTTP is closed: stop the projection consumer (it drains and commits),
 * disconnect the producer (in-flight requests have finished), close MongoDB last.
 */
@Injectable()
export class GatewayLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Gateway');

  constructor(
    @Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig,
    @Inject(KafkaAdmin) private readonly admin: KafkaAdmin,
    @Inject(EVENT_SERIALIZER) private readonly serializer: EventSerializer,
    @Inject(EventProducer) private readonly producer: EventProducer,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
    @Inject(PROJECTION_CONSUMER) private readonly projection: ProjectionConsumer | null,
    @Inject(SseHub) private readonly hub: SseHub,
    @Inject(MONGO_CONNECTION) private readonly mongo: Connection,
    @Inject(ApiKeyRepository) private readonly apiKeys: ApiKeyRepository,
    @Inject(InFlightRepository) private readonly inFlight: InFlightRepository,
    @Inject(WEBHOOK_CONSUMER) private readonly webhooks: WebhookConsumer | null,
    @Inject(IN_FLIGHT_CONSUMER) private readonly inFlightConsumer: InFlightConsumer | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([
      this.tasks.ensureIndexes(),
      this.events.ensureIndexes(),
      this.apiKeys.ensureIndexes(),
      this.inFlight.ensureIndexes(),
    ]);
    await this.admin.ensureTopics(
      ALL_TOPICS.map((topic) => ({ name: topic.name, partitions: this.config.kafka.partitions })),
    );
    await this.serializer.register(ALL_TOPICS);
    await this.producer.connect();
    await this.projection?.start();
    await this.inFlightConsumer?.start();
    await this.webhooks?.start();
    if (this.config.gateway.auth.mode === 'disabled') {
      this.logger.warn({
        msg: 'authentication is disabled: every caller is tenant "default" with every scope (TRIBUTARY_AUTH=required to turn it on)',
      });
    }
  }

  beforeApplicationShutdown(): void {
    this.logger.log({ msg: 'shutting down: closing event streams', streams: this.hub.open });
    this.hub.closeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.step('webhooks consumer', () => this.webhooks?.stop());
    await this.step('in-flight consumer', () => this.inFlightConsumer?.stop());
    await this.step('projection consumer', () => this.projection?.stop());
    await this.step('producer', () => this.producer.disconnect());
    await this.step('kafka admin', () => this.admin.disconnect());
    await this.step('mongodb', () => this.mongo.close());
    this.logger.log('shutdown complete');
  }

  /** One failing step must not keep the later ones (MongoDB last) from closing. */
  private async step(name: string, run: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.error({
        msg: `could not stop the ${name}`,
        err: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

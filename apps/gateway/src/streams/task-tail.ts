import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { ALL_TOPICS } from '@tributary/contracts';
import { EVENT_SERIALIZER, type EventSerializer, KAFKA_CLIENT, LiveTail } from '@tributary/kafka';
import { type TributaryConfig } from '@tributary/config';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../config/tokens';

/** Each gateway's tail has a group of its own, `<prefix>.<random>`, deleted when it stops. */
export const STREAMS_GROUP_PREFIX = 'tributary.gateway-streams';

/**
 * This process's one live tail of the task topics, which every open stream listens to. It joins
 * once the modules are initialised (the Kafka runtime has created the topics), before HTTP listens,
 * so a stream opened on a fresh instance misses nothing, and keeps the last minutes of events so a
 * stream of a recent task reads its history from memory; it leaves after the streams have closed
 * (the first shutdown hook), before the Kafka client goes.
 */
@Injectable()
export class TaskTail implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly tail: LiveTail;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(EVENT_SERIALIZER) serializer: EventSerializer,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(TRIBUTARY_CONFIG) config: TributaryConfig,
  ) {
    this.tail = new LiveTail({
      kafka,
      serializer,
      topics: ALL_TOPICS,
      groupPrefix: STREAMS_GROUP_PREFIX,
      retainMs: options.sse.recentMs,
      retainBytes: options.sse.recentBytes,
      fetchMaxWaitMs: config.runtime.fetchMaxWaitMs,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.tail.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.tail.stop();
  }
}

import {
  type Envelope,
  envelopeFromHeaders,
  type EventValue,
  type TopicDefinition,
} from '@tributary/contracts';
import { type EventSerializer, topicOffsets } from '@tributary/kafka';
import { type Consumer, type Kafka } from 'kafkajs';
import { uniqueName } from './env';

export interface WatchedEvent<T extends TopicDefinition> {
  readonly key: string;
  readonly value: EventValue<T>;
  readonly envelope: Envelope;
}

/**
 * Collects the events published on a shared topic from now on whose key a test cares about (its
 * own task ids): it starts at the topic's current end, not at its history, and leaves the other
 * tests' events alone. Each watch has a throwaway consumer group; `close()` leaves it.
 */
export class TopicWatch<T extends TopicDefinition> {
  readonly events: WatchedEvent<T>[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start<T extends TopicDefinition>(
    kafka: Kafka,
    serializer: EventSerializer,
    topic: T,
    wanted: (key: string) => boolean,
  ): Promise<TopicWatch<T>> {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await topicOffsets(admin, topic.name).finally(() => admin.disconnect());
    const consumer = kafka.consumer({ groupId: uniqueName('watch'), maxWaitTimeInMs: 100 });
    const watch = new TopicWatch<T>(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic.name], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString();
        if (key === undefined || !wanted(key) || message.value === null) return;
        const value = (await serializer.decode(topic, message.value)) as EventValue<T>;
        watch.events.push({ key, value, envelope: envelopeFromHeaders(message.headers) });
      },
    });
    // Where the topic ended before the test acted, whatever offset the group's first fetch chose.
    for (const { partition, high } of ends) consumer.seek({ topic: topic.name, partition, offset: high });
    return watch;
  }

  of(key: string): WatchedEvent<T>[] {
    return this.events.filter((event) => event.key === key);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

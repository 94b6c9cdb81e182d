import { topicOffsets } from '@tributary/kafka';
import { type Kafka } from 'kafkajs';

/**
 * Fails when a consumer group has live members: end-to-end tests start the real services, whose
 * group names are fixed, so services left running from `npm start` would take their work.
 */
export async function assertGroupsIdle(kafka: Kafka, groups: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups: described } = await admin.describeGroups([...groups]);
    const busy = described.filter((g) => g.members.length > 0).map((g) => g.groupId);
    if (busy.length > 0) {
      throw new Error(
        `consumer group(s) ${busy.join(', ')} have live members: stop running services (npm stop) first`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits a group's offsets at the current end of every topic, so services started next see only
 * what a test produces, not the history earlier runs left in the topics. The group must be idle.
 * (kafkajs' admin.setOffsets joins the group once per topic; one short membership is much faster.)
 */
export async function resetGroupToEnd(kafka: Kafka, group: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, { partition: number; offset: string }[]>();
  try {
    for (const topic of topics) {
      ends.set(
        topic,
        (await topicOffsets(admin, topic)).map((p) => ({ partition: p.partition, offset: p.high })),
      );
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      void consumer.run({ autoCommit: true, eachBatch: () => Promise.resolve() }).catch(reject);
      for (const [topic, partitions] of ends) for (const p of partitions) consumer.seek({ topic, ...p });
    });
    await consumer.commitOffsets(
      [...ends].flatMap(([topic, partitions]) => partitions.map((p) => ({ topic, ...p }))),
    );
  } finally {
    await consumer.disconnect();
  }
}

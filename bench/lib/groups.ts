/** The services' consumer groups, as the bench resets and watches them. */
import { ALL_TOPICS, CONSUMER_GROUPS, retryTopic } from '@tributary/contracts';
import { type Kafka } from 'kafkajs';
import { resetGroupToEnd } from '../../test/support/groups';
import { type AGENTS } from './services';
import { sleep } from './stats';

/**
 * Every group the services consume with. All are reset, the gateway's webhook, in-flight and
 * deadline groups too: left alone, the webhook group would work through earlier runs' retries
 * (tasks of dropped databases, each polling the store for seconds), and the deadline group through
 * earlier runs' deferred checks, and weigh on every figure of this run.
 */
export const GROUPS = [
  CONSUMER_GROUPS.planner,
  CONSUMER_GROUPS.research,
  CONSUMER_GROUPS.reviewer,
  CONSUMER_GROUPS.projection,
  CONSUMER_GROUPS.webhooks,
  CONSUMER_GROUPS.inFlight,
  CONSUMER_GROUPS.deadlines,
] as const;

export const AGENT_GROUPS: Record<(typeof AGENTS)[number], string> = {
  'planner-agent': CONSUMER_GROUPS.planner,
  'research-agent': CONSUMER_GROUPS.research,
  'reviewer-agent': CONSUMER_GROUPS.reviewer,
};

/** Commits the groups' offsets at the topics' current end, so the services see only this run's traffic. */
export async function resetGroups(kafka: Kafka, groups: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  for (const group of groups) {
    const topics = [...ALL_TOPICS.map((t) => t.name), retryTopic(group)].filter((t) => existing.has(t));
    await resetGroupToEnd(kafka, group, topics);
  }
}

/** How a wait for a group's backlog ended. */
export interface CatchUp {
  readonly caughtUp: boolean;
  /** Messages the group had not committed when the wait began. */
  readonly behind: number;
  /** How long the wait took. */
  readonly ms: number;
}

/** Waits until a group has committed the end of every topic it reads (its backlog is worked off). */
export async function waitCaughtUp(kafka: Kafka, group: string, timeoutMs: number): Promise<CatchUp> {
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = ALL_TOPICS.map((t) => t.name).filter((t) => existing.has(t));
    const deadline = started + timeoutMs;
    let behind: number | undefined;
    for (;;) {
      let lag = 0;
      const committed = await admin.fetchOffsets({ groupId: group, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const { partition, high } of ends) {
          const at = Number(mine.find((p) => p.partition === partition)?.offset ?? -1);
          lag += Math.max(0, Number(high) - Math.max(0, at));
        }
      }
      behind ??= lag;
      if (lag === 0 || Date.now() > deadline)
        return { caughtUp: lag === 0, behind, ms: Date.now() - started };
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}

import { ALL_TOPICS, deadLetterTopic, type EventPriority, retryTopic, TOPICS } from '@tributary/contracts';
import {
  EVENT_SERIALIZER,
  type EventSerializer,
  EventProducer,
  KAFKA_CLIENT,
  KafkaAdmin,
  ParallelConsumer,
} from '@tributary/kafka';
import { Deferred, resetGroupToEnd, testConfig, waitFor } from '@tributary/testing';
import { type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, postJson, startGateway, testGroup } from './harness';

/**
 * Priority from the HTTP request to the agents' scheduling: the gateway puts the request's
 * priority in the envelope of task.requested, and a planner-like consumer (the runtime's
 * ParallelConsumer, one slot, the agents' read-ahead window) handles a high-priority task
 * submitted behind 200 normal ones before most of them.
 */

const GROUP = testGroup('test-gateway-priority');
const BACKLOG = 200;

let gateway: Gateway;
let consumer: ParallelConsumer | undefined;

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await consumer?.stop();
  await gateway?.close();
});

describe('priority', () => {
  it('a high-priority task submitted behind 200 normal ones is handled before most of them', async () => {
    const kafka = gateway.app.get<Kafka>(KAFKA_CLIENT);
    const config = testConfig('gateway');
    await gateway.app.get(KafkaAdmin).ensureTopics(
      [retryTopic(GROUP), deadLetterTopic(GROUP)].map((name) => ({
        name,
        partitions: config.kafka.partitions,
      })),
    );
    await waitFor(
      () =>
        resetGroupToEnd(kafka, GROUP, [...ALL_TOPICS.map((t) => t.name), retryTopic(GROUP)]).then(() => true),
      { timeoutMs: 30_000, intervalMs: 250, description: 'the priority group reset' },
    );

    // Ours are the tasks of this user (an event can arrive before its POST has answered).
    const user = await gateway.newUser();
    const handled: { taskId: string; priority: EventPriority }[] = [];
    const gate = new Deferred();
    consumer = new ParallelConsumer({
      kafka,
      serializer: gateway.app.get<EventSerializer>(EVENT_SERIALIZER),
      producer: gateway.app.get(EventProducer),
      group: GROUP,
      // A planner with one slot; its read-ahead window is what the agents have at their default
      // concurrency (16 slots × 16), so the backlog is visible to the scheduler.
      runtime: { ...config.runtime, concurrency: 1 },
      maxPending: 256,
      partitions: config.kafka.partitions,
      replication: config.kafka,
      fromBeginning: false,
    });
    const joined = new Promise<void>((resolve) =>
      consumer!.kafkaConsumer.on(consumer!.kafkaConsumer.events.GROUP_JOIN, () => resolve()),
    );
    consumer.handle(TOPICS.taskRequested, async (delivery) => {
      if (delivery.value.request.userId !== user) return;
      // The first of ours holds the only slot until the whole backlog has been fetched.
      if (handled.length === 0) await gate.promise;
      handled.push({ taskId: delivery.value.taskId, priority: delivery.envelope.priority });
    });
    await consumer.start();
    await joined;

    const submit = async (priority: EventPriority) => {
      const send = () =>
        postJson(gateway, '/v1/tasks', { userId: user, request: 'a backlog task', priority });
      let response = await send();
      // As a client would: a 503 (the store slower than the gateway's deadline on a busy machine)
      // is answered by submitting again. The order under test is the planner's, not the gateway's.
      for (let retries = 0; response.status === 503 && retries < 5; retries += 1) response = await send();
      expect(response.status).toBe(202);
      const { taskId } = (await response.json()) as { taskId: string };
      return taskId;
    };
    for (let i = 0; i < BACKLOG; i += 1) await submit('normal');
    const high = await submit('high');

    // Everything fetched and waiting (one running, the rest queued), then open the slot.
    await waitFor(
      () => {
        const m = consumer!.metrics();
        return m.inFlight + m.queued >= BACKLOG + 1;
      },
      { timeoutMs: 60_000, description: 'the backlog to be fetched' },
    );
    gate.resolve();
    await waitFor(() => handled.length === BACKLOG + 1, {
      timeoutMs: 60_000,
      description: 'every task handled',
    });

    const position = handled.findIndex((h) => h.taskId === high);
    expect(handled[position]!.priority).toBe('high');
    expect(handled.filter((h) => h.priority === 'normal')).toHaveLength(BACKLOG);
    // Before most of the backlog (in practice right after the task holding the slot).
    expect(position).toBeLessThan(BACKLOG / 10);
  });
});

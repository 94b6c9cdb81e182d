import { Logger } from '@nestjs/common';
import {
  AgentStep,
  CancellationRegistry,
  MongoCancellationStore,
  UndeliverableEvents,
} from '@tributary/agent';
import { envelopeToHeaders, FAILURE_HEADERS, headerString, mintEnvelope, TOPICS } from '@tributary/contracts';
import { type Delivery, RetriableError } from '@tributary/kafka';
import {
  RuntimeHarness,
  startFaultProxy,
  testConfig,
  testTopic,
  type TestTopic,
  TopicWatch,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import mongoose from 'mongoose';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every failure path ends the task, on the real broker, registry and store. The agents' frame
 * (AgentStep) and the agents' hook for unreadable events run on the Kafka runtime as the agents
 * run them, over a topic of the test's own standing for an agent's input topic (the real input
 * topics are shared with every other test and service on the stack; garbage on them would reach
 * every consumer group). Task failures are published on the real task.failed topic, for task ids
 * of this run only, and watched from its current end.
 */

let harness: RuntimeHarness | undefined;
const closers: (() => Promise<unknown>)[] = [];

function setup(overrides: Record<string, string> = {}): RuntimeHarness {
  harness = new RuntimeHarness(
    testConfig('research-agent', {
      TRIBUTARY_KAFKA_PARTITIONS: '1',
      TRIBUTARY_RETRY_BASE_DELAY_MS: '50',
      TRIBUTARY_RETRY_MAX_DELAY_MS: '200',
      ...overrides,
    }),
  );
  return harness;
}

const newTaskId = () => `tsk-test-${randomBytes(6).toString('hex')}`;
const tenant = `failures-${randomBytes(3).toString('hex')}`;

beforeAll(() => {
  Logger.overrideLogger(false);
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await harness?.close();
  harness = undefined;
});

async function watchFailures(
  h: RuntimeHarness,
  taskId: string,
): Promise<TopicWatch<typeof TOPICS.taskFailed>> {
  await h.prepare(TOPICS.taskFailed);
  const watch = await TopicWatch.start(h.kafka, h.serializer, TOPICS.taskFailed, (key) => key === taskId);
  closers.push(() => watch.close());
  return watch;
}

describe('a task whose step cannot run', () => {
  it('waits out a store outage at the cancellation check in place, then runs the step: no task.failed, no dead letter', async () => {
    const maxAttempts = 2;
    const h = setup({ TRIBUTARY_MAX_ATTEMPTS: String(maxAttempts) });
    const topic = testTopic();
    await h.prepare(topic);
    const taskId = newTaskId();
    const failures = await watchFailures(h, taskId);

    // The agents' store, reached through a proxy the test can cut.
    const mongoUrl = new URL(h.config.mongoUri);
    const proxy = await startFaultProxy({ host: mongoUrl.hostname, port: Number(mongoUrl.port || 27017) });
    closers.push(() => proxy.close());
    mongoUrl.host = proxy.address;
    mongoUrl.pathname = `/${uniqueName('failures').replace(/\W/g, '_')}`;
    const connection = await mongoose
      .createConnection(mongoUrl.toString(), { serverSelectionTimeoutMS: 1_000, retryWrites: false })
      .asPromise();
    closers.push(() => connection.close());
    const cancellations = new CancellationRegistry(new MongoCancellationStore(connection));
    await cancellations.init();
    const step = new AgentStep(h.producer, cancellations, maxAttempts, {
      deadlineGraceMs: h.config.deadlines.graceMs,
    });

    const ran: number[] = [];
    // As the agents run: a dependency outage holds the partition instead of spending the retry budget.
    const consumer = h.consumer({
      group: uniqueName('group'),
      failurePolicy: { onTransient: 'hold-partition', holdBaseDelayMs: 100, holdMaxDelayMs: 500 },
    });
    consumer.handle(topic, (delivery: Delivery<TestTopic>) =>
      step.run(delivery, 'researching', () => {
        ran.push(delivery.attempt);
        // The first delivery's check is answered from memory and its work fails on its own; a retry
        // is no first delivery, so its check asks the store, which is cut.
        if (ran.length === 1) {
          proxy.cut();
          return Promise.reject(new RetriableError('the model is busy'));
        }
        return Promise.resolve();
      }),
    );
    await consumer.start();
    await h.producer.emit(topic, { taskId, tenantId: tenant, seq: 0, note: '' });

    // The retry's check fails against the cut store again and again, past the retry budget, in place.
    await waitFor(() => consumer.metrics().held === 1, { description: 'the retry held in place' });
    await waitFor(() => consumer.metrics().handled + consumer.metrics().retried >= 1 && ran.length === 1, {
      description: 'the first attempt failed on its own',
    });
    expect(failures.of(taskId)).toEqual([]);
    proxy.restore();

    await waitFor(() => ran.length === 2, {
      timeoutMs: 30_000,
      description: 'the step run after the store answers',
    });
    await waitFor(() => consumer.metrics().handled === 1, { description: 'the delivery handled' });
    expect(ran[1]).toBeGreaterThan(maxAttempts);
    expect(consumer.metrics().deadLettered).toBe(0);
    expect(failures.of(taskId)).toEqual([]);
  });

  it('ends failed, readably, when an event of the task cannot be decoded; the dead letter still carries the reason', async () => {
    const h = setup();
    const topic = testTopic();
    await h.prepare(topic);
    const taskId = newTaskId();
    const failures = await watchFailures(h, taskId);

    const handled: string[] = [];
    const consumer = h.consumer({
      group: uniqueName('group'),
      onUndeliverable: new UndeliverableEvents(h.producer, 'researching').handle,
    });
    consumer.handle(topic, (delivery: Delivery<TestTopic>) => {
      handled.push(delivery.key);
      return Promise.resolve();
    });
    await consumer.start();

    // A record with a valid key and envelope whose bytes are no Avro at all.
    const envelope = mintEnvelope({
      eventType: topic.name,
      correlationId: taskId,
      tenantId: tenant,
      producer: 'a-broken-producer',
      schemaVersion: 1,
    });
    await h.producer.send({
      topic: topic.name,
      messages: [
        { key: taskId, value: Buffer.from('{"not": "avro"}'), headers: envelopeToHeaders(envelope) },
      ],
    });

    const [failed] = await waitFor(() => (failures.of(taskId).length > 0 ? failures.of(taskId) : null), {
      description: 'task.failed for the task',
    });
    expect(handled).toEqual([]);
    expect(failed?.value).toMatchObject({
      taskId,
      tenantId: tenant,
      stage: 'researching',
      code: 'undecodable-event',
      reason: 'Research could not read an event of the task, so the task cannot go on.',
    });
    expect(failed?.envelope.causationId).toBe(envelope.eventId);
    expect(failed?.envelope.traceparent.split('-')[1]).toBe(envelope.traceparent.split('-')[1]);

    const [dead] = await h.readMessages(consumer.deadLetterTopic, 1);
    expect(dead?.key?.toString()).toBe(taskId);
    expect(dead?.value?.toString()).toBe('{"not": "avro"}');
    expect(headerString(dead?.headers, FAILURE_HEADERS.errorClass)).toBe('DecodeError');
    expect(headerString(dead?.headers, FAILURE_HEADERS.errorMessage)).toMatch(/\S/);
    expect(consumer.metrics().deadLettered).toBe(1);
  });
});

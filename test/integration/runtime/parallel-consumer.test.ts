import { FAILURE_HEADERS, HEADERS, headerString } from '@tributary/contracts';
import {
  type Delivery,
  pending,
  PermanentError,
  RetriableError,
  toWireFormat,
  UnavailableError,
} from '@tributary/kafka';
import {
  countGroupJoins,
  Deferred,
  RuntimeHarness,
  testConfig,
  testTopic,
  type TestTopic,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

const work = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let harness: RuntimeHarness | undefined;

function setup(overrides: Record<string, string> = {}): RuntimeHarness {
  harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1', ...overrides }));
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function emitAll(
  h: RuntimeHarness,
  topic: TestTopic,
  events: { key: string; seq: number; note?: string }[],
) {
  return h.producer.emitMany(
    events.map((e) =>
      pending(topic, { taskId: e.key, tenantId: 'tenant-a', seq: e.seq, note: e.note ?? '' }),
    ),
  );
}

describe('ParallelConsumer', () => {
  it('calls a delivery first only when no member of the group can have been handed it before', async () => {
    const h = setup();
    const topic = testTopic();
    await h.prepare(topic);
    await emitAll(h, topic, [
      { key: 'before', seq: 0 },
      { key: 'before', seq: 1 },
    ]);
    const first = new Map<string, boolean>();
    const consumer = h.consumer({ group: uniqueName('group') });
    consumer.handle(topic, (delivery: Delivery<TestTopic>) => {
      first.set(`${delivery.key}#${delivery.value.seq}`, delivery.firstDelivery);
      return Promise.resolve();
    });
    await consumer.start();
    await waitFor(() => first.size === 2, { description: 'the events written before the group joined' });
    await emitAll(h, topic, [{ key: 'after', seq: 0 }]);
    await waitFor(() => first.size === 3, { description: 'the event written after it joined' });
    // Written before this member was assigned the partition: an earlier member may have had them.
    expect(Object.fromEntries(first)).toEqual({ 'before#0': false, 'before#1': false, 'after#0': true });
  });

  it('handles fifty keys of one partition concurrently (limit 16), each key in order', async () => {
    const h = setup({ TRIBUTARY_CONCURRENCY: '16' });
    const topic = testTopic();
    await h.prepare(topic);
    const keys = Array.from({ length: 50 }, (_, i) => `task-${i}`);
    await emitAll(
      h,
      topic,
      [0, 1, 2].flatMap((seq) => keys.map((key) => ({ key, seq }))),
    );

    let active = 0;
    let peak = 0;
    const activeKeys = new Set<string>();
    const seen = new Map<string, number[]>();
    const violations: string[] = [];
    const group = uniqueName('group');
    const consumer = h.consumer({ group });
    consumer.handle(topic, async (delivery: Delivery<TestTopic>) => {
      const { key, value } = delivery;
      if (activeKeys.has(key)) violations.push(`${key} ran twice at once`);
      if (delivery.envelope.correlationId !== value.taskId)
        violations.push(`${key} has a wrong correlation id`);
      activeKeys.add(key);
      active += 1;
      peak = Math.max(peak, active);
      seen.set(key, [...(seen.get(key) ?? []), value.seq]);
      await work(150);
      active -= 1;
      activeKeys.delete(key);
    });
    await consumer.start();

    await waitFor(() => consumer.metrics().handled === 150, { description: '150 handled' });
    expect(violations).toEqual([]);
    expect(peak).toBeGreaterThanOrEqual(10);
    expect(peak).toBeLessThanOrEqual(16);
    for (const key of keys) expect(seen.get(key)).toEqual([0, 1, 2]);
    await waitFor(async () => (await h.committedOffset(group, topic.name)) === 150, {
      description: 'offset 150 committed',
    });
  });

  it('runs a handler three times longer than the session timeout once, without a rebalance', async () => {
    const h = setup({ TRIBUTARY_SESSION_TIMEOUT_MS: '6000', TRIBUTARY_HEARTBEAT_INTERVAL_MS: '1000' });
    const topic = testTopic();
    await h.prepare(topic);
    await emitAll(h, topic, [
      { key: 'slow', seq: 0 },
      { key: 'fast', seq: 1 },
    ]);

    const group = uniqueName('group');
    const calls: string[] = [];
    const fastDone = new Deferred();
    const consumer = h.consumer({ group });
    const joins = countGroupJoins(consumer.kafkaConsumer);
    let rebalances = 0;
    consumer.kafkaConsumer.on(consumer.kafkaConsumer.events.REBALANCING, () => (rebalances += 1));
    consumer.handle(topic, async ({ key }) => {
      calls.push(key);
      if (key === 'fast') {
        fastDone.resolve();
        return;
      }
      await work(18_000);
    });
    await consumer.start();

    await fastDone.promise;
    // The fast task finished behind the slow one; its offset (1) is not committed past the slow one (0).
    expect(calls).toEqual(['slow', 'fast']);
    await waitFor(() => consumer.metrics().handled === 2, {
      timeoutMs: 25_000,
      description: 'the slow handler',
    });
    await waitFor(async () => (await h.committedOffset(group, topic.name)) === 2, {
      description: 'offset 2 committed',
    });
    expect(calls).toEqual(['slow', 'fast']);
    expect(joins.count).toBe(1);
    expect(rebalances).toBe(0);
  }, 40_000);

  it('retries with growing delays until success, dead-letters what keeps failing, and lets other keys flow', async () => {
    const h = setup({
      TRIBUTARY_MAX_ATTEMPTS: '3',
      TRIBUTARY_RETRY_BASE_DELAY_MS: '300',
      TRIBUTARY_RETRY_MAX_DELAY_MS: '5000',
    });
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    const envelopes = await emitAll(h, topic, [
      { key: 'flaky', seq: 0 },
      { key: 'doomed', seq: 1 },
      ...Array.from({ length: 10 }, (_, i) => ({ key: `steady-${i}`, seq: 2 + i })),
    ]);

    const flakyAttempts: { attempt: number; at: number; via: string | undefined }[] = [];
    const steadyDone: number[] = [];
    // Pin the jitter to its ceiling so the delays are exactly 300 ms and 600 ms.
    const consumer = h.consumer({ group, random: () => 1 });
    consumer.handle(topic, async ({ key, attempt, via }) => {
      if (key === 'flaky') {
        flakyAttempts.push({ attempt, at: Date.now(), via: via?.topic });
        if (attempt < 3) throw new RetriableError(`flaky attempt ${attempt}`);
        return;
      }
      if (key === 'doomed') throw new RetriableError('the model is down');
      await work(20);
      steadyDone.push(Date.now());
    });
    await consumer.start();

    await waitFor(() => consumer.metrics().deadLettered === 1 && consumer.metrics().handled === 11, {
      description: 'all handled or dead-lettered',
    });
    expect(flakyAttempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(flakyAttempts.map((a) => a.via)).toEqual([undefined, consumer.retryTopic, consumer.retryTopic]);
    const [first, second, third] = flakyAttempts.map((a) => a.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(300);
    expect(third - second).toBeGreaterThanOrEqual(600);
    expect(third - second).toBeGreaterThan(second - first);
    // Every other key finished while the flaky one was still waiting for its retries.
    expect(steadyDone).toHaveLength(10);
    expect(Math.max(...steadyDone)).toBeLessThan(third);
    expect(consumer.metrics().retried).toBe(4);

    const [dead] = await h.readMessages(consumer.deadLetterTopic, 1);
    const header = (name: string) => headerString(dead?.headers, name);
    const doomedEnvelope = envelopes[1];
    expect(header(FAILURE_HEADERS.originTopic)).toBe(topic.name);
    expect(header(FAILURE_HEADERS.originPartition)).toBe('0');
    expect(header(FAILURE_HEADERS.originOffset)).toBe('1');
    expect(header(FAILURE_HEADERS.attempts)).toBe('3');
    expect(header(FAILURE_HEADERS.errorClass)).toBe('RetriableError');
    expect(header(FAILURE_HEADERS.errorMessage)).toBe('the model is down');
    const firstFailure = Date.parse(header(FAILURE_HEADERS.firstFailureAt) ?? '');
    const lastFailure = Date.parse(header(FAILURE_HEADERS.lastFailureAt) ?? '');
    expect(lastFailure - firstFailure).toBeGreaterThanOrEqual(900);
    expect(header(HEADERS.eventId)).toBe(doomedEnvelope?.eventId);
    expect(dead?.key?.toString()).toBe('doomed');
    expect(await h.serializer.decode(topic, dead?.value ?? Buffer.alloc(0))).toMatchObject({
      taskId: 'doomed',
      seq: 1,
    });

    await waitFor(async () => (await h.committedOffset(group, topic.name)) === 12, {
      description: 'origin committed',
    });
    await waitFor(async () => (await h.committedOffset(group, consumer.retryTopic)) === 4, {
      description: 'retry topic committed',
    });
  });

  it('brings a deferred event back not before its due time, as the same attempt, holding no slot meanwhile; a restart honours it', async () => {
    const h = setup({ TRIBUTARY_CONCURRENCY: '1' });
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    await emitAll(h, topic, [{ key: 'timer', seq: 0 }]);
    const dueAt = Date.now() + 3_000;

    const seen: { attempt: number; at: number; via: string | undefined }[] = [];
    const first = h.consumer({ group });
    first.handle(topic, (delivery) => {
      seen.push({ attempt: delivery.attempt, at: Date.now(), via: delivery.via?.topic });
      if (delivery.key === 'timer' && delivery.via === undefined) delivery.defer(dueAt);
      return Promise.resolve();
    });
    await first.start();
    await waitFor(() => first.metrics().deferred === 1 && first.metrics().delayed === 1, {
      description: 'the event deferred and waiting',
    });
    // Its one slot is free while the deferred copy waits: another key runs at once.
    await emitAll(h, topic, [{ key: 'other', seq: 1 }]);
    await waitFor(() => seen.length === 2, { description: 'the other key handled meanwhile' });
    // Stopped before the due time: the copy is not committed, the next consumer of the group waits for it.
    await first.stop();

    const second = h.consumer({ group });
    second.handle(topic, (delivery) => {
      seen.push({ attempt: delivery.attempt, at: Date.now(), via: delivery.via?.topic });
      return Promise.resolve();
    });
    await second.start();
    await waitFor(() => seen.length === 3, { timeoutMs: 30_000, description: 'the deferred event back' });

    const back = seen[2];
    expect(back?.attempt).toBe(1);
    expect(back?.via).toBe(second.retryTopic);
    expect(back?.at).toBeGreaterThanOrEqual(dueAt);
    expect(second.metrics().retried + second.metrics().deadLettered).toBe(0);
    await waitFor(async () => (await h.committedOffset(group, second.retryTopic)) === 1, {
      description: 'the deferred copy committed',
    });
  });

  it("with the hold-partition policy, waits out a dependency outage in place, partition paused and keys in order, dead-lettering nothing; a message's own failure keeps its retry budget", async () => {
    const h = setup({ TRIBUTARY_MAX_ATTEMPTS: '2', TRIBUTARY_RETRY_BASE_DELAY_MS: '50' });
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    let outage = false;
    const calls: { key: string; seq: number; attempt: number; first: boolean; ok: boolean }[] = [];
    const consumer = h.consumer({
      group,
      failurePolicy: { onTransient: 'hold-partition', holdBaseDelayMs: 50, holdMaxDelayMs: 200 },
    });
    consumer.handle(topic, ({ key, value, attempt, firstDelivery }) => {
      const call = { key, seq: value.seq, attempt, first: firstDelivery, ok: false };
      calls.push(call);
      if (value.note === 'poison') return Promise.reject(new RetriableError('this message fails'));
      if (outage) return Promise.reject(new UnavailableError('the store does not answer'));
      call.ok = true;
      return Promise.resolve();
    });
    await consumer.start();
    // Once the consumer has fetched the partition, what is written next is new to the group: its
    // first attempt is a first delivery.
    await emitAll(h, topic, [{ key: 'warm-up', seq: 0 }]);
    await waitFor(() => consumer.metrics().handled === 1, { description: 'the warm-up event handled' });
    outage = true;
    await emitAll(h, topic, [
      { key: 'a', seq: 0 },
      { key: 'a', seq: 1 },
      { key: 'b', seq: 2 },
      { key: 'poison', seq: 3, note: 'poison' },
    ]);

    // Far past the retry budget (2 attempts): still held, the partition paused, nothing dead-lettered
    // but the message whose own handling fails.
    await waitFor(
      () => calls.filter((c) => c.key === 'a').length >= 6 && consumer.metrics().deadLettered === 1,
      {
        description: 'the outage outlasting the retry budget',
      },
    );
    const during = consumer.metrics();
    expect(during.held).toBe(2);
    expect(during.paused).toContainEqual({ topic: topic.name, partitions: [0] });
    expect(during.retried).toBe(1); // the poison message, once, then dead-lettered
    expect(calls.some((c) => c.key === 'a' && c.seq === 1)).toBe(false);

    outage = false;
    await waitFor(() => consumer.metrics().handled === 4, { description: 'the held messages handled' });
    const a = calls.filter((c) => c.key === 'a');
    // One key's events in order: seq 1 ran only after seq 0 succeeded.
    expect(a.findIndex((c) => c.seq === 1)).toBe(a.findIndex((c) => c.seq === 0 && c.ok) + 1);
    const a0 = a.filter((c) => c.seq === 0);
    expect(a0.map((c) => c.attempt)).toEqual(a0.map((_, i) => i + 1));
    expect(a0.map((c) => c.first)).toEqual(a0.map((_, i) => i === 0));
    expect(consumer.metrics()).toMatchObject({ held: 0, paused: [], deadLettered: 1, retried: 1 });
    await waitFor(async () => (await h.committedOffset(group, topic.name)) === 5, {
      description: 'every offset committed',
    });
  });

  it('dead-letters garbage, unknown schema ids, missing envelopes and permanent errors at once, and carries on', async () => {
    const h = setup();
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    await emitAll(h, topic, [{ key: 'template', seq: 0, note: 'template' }]);
    // Valid envelope headers, borrowed from a real event, so only the bytes are at fault.
    const envelopeHeaders = (await h.readMessages(topic.name, 1))[0]?.headers ?? {};
    await h.producer.send({
      topic: topic.name,
      messages: [
        { key: 'garbage', value: Buffer.from('definitely not avro'), headers: envelopeHeaders },
        {
          key: 'unknown-id',
          value: toWireFormat(1_999_999_999, Buffer.from([0x0a])),
          headers: envelopeHeaders,
        },
      ],
    });
    const validBytes = await h.serializer.encode(topic, {
      taskId: 'no-envelope',
      tenantId: 't',
      seq: 3,
      note: '',
    });
    await h.producer.send({ topic: topic.name, messages: [{ key: 'no-envelope', value: validBytes }] });
    await emitAll(h, topic, [
      { key: 'refused', seq: 4, note: 'refuse' },
      { key: 'after', seq: 5 },
    ]);

    const handled: string[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(topic, ({ key, value }) => {
      if (value.note === 'refuse')
        return Promise.reject(new PermanentError('this request can never succeed'));
      handled.push(key);
      return Promise.resolve();
    });
    await consumer.start();

    await waitFor(() => consumer.metrics().deadLettered === 4 && handled.includes('after'), {
      description: 'four dead letters and the message after them',
    });
    expect(handled).toEqual(['template', 'after']);
    expect(consumer.metrics().retried).toBe(0);
    const dead = await h.readMessages(consumer.deadLetterTopic, 4);
    // Different keys fail concurrently, so the dead letters arrive in any order.
    const summary = dead
      .map((m) => [
        m.key?.toString(),
        headerString(m.headers, FAILURE_HEADERS.errorClass),
        headerString(m.headers, FAILURE_HEADERS.attempts),
      ])
      .sort();
    expect(summary).toEqual([
      ['garbage', 'DecodeError', '1'],
      ['no-envelope', 'EventValidationError', '1'],
      ['refused', 'PermanentError', '1'],
      ['unknown-id', 'DecodeError', '1'],
    ]);
    const garbage = dead.find((m) => m.key?.toString() === 'garbage');
    expect(garbage?.value?.toString()).toBe('definitely not avro');
    await waitFor(async () => (await h.committedOffset(group, topic.name)) === 6, {
      description: 'all committed',
    });
  });

  it('pauses fetching when in-flight plus queued work reaches the limit and resumes when it drains', async () => {
    const h = setup({ TRIBUTARY_CONCURRENCY: '2' });
    const topic = testTopic();
    await h.prepare(topic);
    await emitAll(
      h,
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `task-${i}`, seq: i })),
    );
    const release = new Deferred();
    const consumer = h.consumer({ group: uniqueName('group'), maxPending: 4 });
    consumer.handle(topic, () => release.promise);
    await consumer.start();

    const pausedTopics = () => consumer.metrics().paused.map((p) => p.topic);
    await waitFor(() => consumer.metrics().inFlight === 2 && pausedTopics().includes(topic.name), {
      description: 'two in flight and the topic paused',
    });
    const metrics = consumer.metrics();
    expect(metrics.inFlight + metrics.queued).toBe(4);
    // Both the event topic and the group's retry topic pause: the limit covers everything fetched.
    expect(pausedTopics().sort()).toEqual([topic.name, consumer.retryTopic].sort());
    release.resolve();
    await waitFor(() => consumer.metrics().handled === 20, { description: 'all 20 handled' });
    expect(consumer.metrics().paused).toEqual([]);
    await waitFor(() => consumer.metrics().partitions.find((p) => p.topic === topic.name)?.lag === 0, {
      description: 'lag 0 once the finished offsets are committed',
    });
  });

  it('stops gracefully: waits for the running handler, commits it, and the next consumer does not redo it', async () => {
    const h = setup();
    const topic = testTopic();
    await h.prepare(topic);
    await emitAll(h, topic, [{ key: 'task', seq: 0 }]);
    const group = uniqueName('group');
    const started = new Deferred();
    let finished = 0;
    const consumer = h.consumer({ group });
    consumer.handle(topic, async () => {
      started.resolve();
      await work(1_500);
      finished += 1;
    });
    await consumer.start();
    await started.promise;
    await consumer.stop();
    expect(finished).toBe(1);
    expect(await h.committedOffset(group, topic.name)).toBe(1);

    await emitAll(h, topic, [{ key: 'task', seq: 1 }]);
    const seqs: number[] = [];
    const next = h.consumer({ group });
    next.handle(topic, ({ value }) => {
      seqs.push(value.seq);
      return Promise.resolve();
    });
    await next.start();
    await waitFor(() => next.metrics().handled === 1, { description: 'the new message' });
    expect(seqs).toEqual([1]);
  });
});

import { type Delivery, pending, PermanentError, RetriableError } from '@tributary/kafka';
import { scrapeMetrics } from '@tributary/metrics';
import { logCorrelation } from '@tributary/platform';
import {
  Deferred,
  RuntimeHarness,
  testConfig,
  testTopic,
  type TestTopic,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { Scrape } from '@tributary/testing/metrics';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The consumer runtime's metrics on the real broker and registry, read the way Prometheus reads
 * them: the registry's text exposition, parsed by a Prometheus text-format parser.
 */

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function setup(overrides: Record<string, string> = {}): RuntimeHarness {
  harness = new RuntimeHarness(
    testConfig('gateway', {
      TRIBUTARY_KAFKA_PARTITIONS: '1',
      TRIBUTARY_FETCH_MAX_WAIT_MS: '200',
      ...overrides,
    }),
  );
  return harness;
}

async function emit(h: RuntimeHarness, topic: TestTopic, keys: string[], note = ''): Promise<void> {
  await h.producer.emitMany(
    keys.map((key, seq) => pending(topic, { taskId: key, tenantId: 'tenant-metrics', seq, note })),
  );
}

async function scraped(): Promise<Scrape> {
  return Scrape.parse(await scrapeMetrics());
}

describe('consumer runtime metrics', () => {
  it('reports lag rising while the consumer is paused and falling once it resumes', async () => {
    const h = setup({ TRIBUTARY_CONCURRENCY: '1' });
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('lag');
    const gate = new Deferred();
    let handled = 0;
    // Two pending messages (one running, one queued) fill the window: the consumer pauses its topics.
    const consumer = h.consumer({ group, maxPending: 2 });
    consumer.handle(topic, async () => {
      await gate.promise;
      handled += 1;
    });
    await consumer.start();
    const labels = { group, topic: topic.name, partition: '0' };

    await emit(h, topic, ['a-0', 'a-1']);
    await waitFor(
      async () => {
        const s = await scraped();
        return (
          s.value('tributary_kafka_consumer_handlers_in_flight', { group }) === 1 &&
          s.value('tributary_kafka_consumer_paused_partitions', { group, topic: topic.name }) === 1
        );
      },
      { description: 'one handler in flight and the partition paused' },
    );

    // Produced while paused: nothing of it is fetched, so only the broker's watermark can show it.
    await emit(
      h,
      topic,
      Array.from({ length: 20 }, (_, i) => `b-${i}`),
    );
    const whilePaused = await waitFor(
      async () => {
        const s = await scraped();
        return s.value('tributary_kafka_consumer_lag', labels) === 22 ? s : undefined;
      },
      { description: 'lag 22 while paused (the 20 new messages and the 2 unfinished)' },
    );
    expect(
      whilePaused.value('tributary_kafka_consumer_paused_partitions', { group, topic: topic.name }),
    ).toBe(1);
    expect(whilePaused.value('tributary_kafka_consumer_messages_queued', { group })).toBe(1);
    expect(whilePaused.value('tributary_kafka_consumer_messages_total', { group })).toBe(0);

    gate.resolve();
    await waitFor(() => handled === 22, { description: 'all 22 handled after the gate opened' });
    const after = await waitFor(
      async () => {
        const s = await scraped();
        return s.value('tributary_kafka_consumer_lag', labels) === 0 ? s : undefined;
      },
      { description: 'lag back to 0' },
    );
    expect(after.value('tributary_kafka_consumer_paused_partitions', { group })).toBe(0);
    expect(
      after.value('tributary_kafka_consumer_messages_total', {
        group,
        topic: topic.name,
        outcome: 'handled',
      }),
    ).toBe(22);
    expect(
      after.count('tributary_kafka_consumer_handler_duration_seconds', {
        group,
        topic: topic.name,
        result: 'success',
      }),
    ).toBe(22);

    await consumer.stop();
    // A stopped consumer's gauges leave the scrape; its counters stay.
    const stopped = await scraped();
    expect(stopped.samples('tributary_kafka_consumer_lag', { group })).toEqual([]);
    expect(stopped.samples('tributary_kafka_consumer_handlers_in_flight', { group })).toEqual([]);
  });

  it('counts retried and dead-lettered attempts under the origin topic, and logs inside a handler name the task and tenant', async () => {
    const h = setup({ TRIBUTARY_RETRY_BASE_DELAY_MS: '0', TRIBUTARY_MAX_ATTEMPTS: '2' });
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('outcomes');
    const correlations: Record<string, string>[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(topic, (delivery: Delivery<TestTopic>) => {
      correlations.push(logCorrelation());
      const { note } = delivery.value;
      if (note === 'flaky' && delivery.attempt === 1) throw new RetriableError('try again');
      if (note === 'always') throw new RetriableError('never works');
      if (note === 'broken') throw new PermanentError('cannot be handled');
      return Promise.resolve();
    });
    await consumer.start();
    await emit(h, topic, ['task-ok'], 'ok');
    await emit(h, topic, ['task-flaky'], 'flaky');
    await emit(h, topic, ['task-always'], 'always');
    await emit(h, topic, ['task-broken'], 'broken');

    const counted = (s: Scrape, outcome: string) =>
      s.value('tributary_kafka_consumer_messages_total', { group, topic: topic.name, outcome });
    const s = await waitFor(
      async () => {
        const now = await scraped();
        return counted(now, 'handled') === 2 && counted(now, 'dead_lettered') === 2 ? now : undefined;
      },
      { description: 'every message ended' },
    );
    // flaky: retried once, then handled; always: retried once, then dead-lettered (2 attempts); broken: dead-lettered at once.
    expect(counted(s, 'retried')).toBe(2);
    // Retries read from the retry topic are counted under their origin topic, never the retry topic.
    expect(
      s.samples('tributary_kafka_consumer_messages_total', { group, topic: consumer.retryTopic }),
    ).toEqual([]);
    expect(
      s.count('tributary_kafka_consumer_handler_duration_seconds', {
        group,
        topic: topic.name,
        result: 'error',
      }),
    ).toBe(4);
    expect(correlations.length).toBe(6);
    for (const fields of correlations) {
      expect(fields.tenantId).toBe('tenant-metrics');
      expect(fields.taskId).toMatch(/^task-(ok|flaky|always|broken)$/);
    }
  });
});

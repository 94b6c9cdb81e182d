import { pending, PermanentError, redrive, RetriableError } from '@tributary/kafka';
import { inSpan, startTracing, stopTracing } from '@tributary/tracing';
import { RuntimeHarness, testConfig, testTopic, uniqueName, waitFor } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What durability does to a trace, on the real runtime and a real Jaeger: this process traces (as a
 * service does) and exports to Jaeger; an event's retry through the retry topic and the redrive of a
 * dead letter are further `process` spans under the span that sent the event, in the same trace,
 * each marked with its attempt. Fresh topics and groups: safe beside other tests.
 */
interface JaegerSpan {
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { refType: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
}

let jaegerUrl: string;
let harness: RuntimeHarness | undefined;
const service = uniqueName('tracing').replace(/[^a-z0-9-]/g, '-');

beforeAll(async () => {
  // @ts-expect-error plain ESM script without type declarations
  const stack = (await import('../../../scripts/stack.mjs')) as {
    jaegerUp: (options: { quiet: boolean }) => Promise<{ otlpEndpoint: string; uiUrl: string }>;
  };
  const jaeger = await stack.jaegerUp({ quiet: true });
  jaegerUrl = jaeger.uiUrl;
  const config = testConfig('gateway', {
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
    OTEL_SERVICE_NAME: service,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  expect(startTracing(config)).toBe(true);
}, 600_000);

afterAll(async () => {
  await harness?.close();
  await stopTracing();
});

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

describe('the trace through retries and redrives', () => {
  it('puts a retry-topic attempt and a redriven dead letter under the span that sent the event, marked with the attempt', async () => {
    const h = (harness = new RuntimeHarness(
      testConfig('gateway', {
        TRIBUTARY_KAFKA_PARTITIONS: '1',
        TRIBUTARY_RETRY_BASE_DELAY_MS: '50',
        TRIBUTARY_RETRY_MAX_DELAY_MS: '200',
      }),
    ));
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    // Sent from a span of this test, as an HTTP request would: the events start its trace.
    const [flaky, poison] = await inSpan('test submission', {}, () =>
      h.producer.emitMany([
        pending(topic, { taskId: 'flaky', tenantId: 't', seq: 0, note: 'fails once' }),
        pending(topic, { taskId: 'poison', tenantId: 't', seq: 1, note: 'poison' }),
      ]),
    );
    const traceId = flaky!.traceparent.split('-')[1]!;
    expect(poison!.traceparent.split('-')[1]).toBe(traceId);

    let fixed = false;
    const seen: string[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(topic, ({ value, attempt }) => {
      seen.push(`${value.taskId}#${attempt}`);
      if (value.taskId === 'flaky' && attempt === 1) return Promise.reject(new RetriableError('not yet'));
      if (value.taskId === 'poison' && !fixed)
        return Promise.reject(new PermanentError('bug in the handler'));
      return Promise.resolve();
    });
    await consumer.start();
    await waitFor(() => seen.includes('flaky#2') && consumer.metrics().deadLettered === 1, {
      description: 'the retry handled and the poison dead-lettered',
    });
    fixed = true;
    await redrive({ kafka: h.kafka, producer: h.producer, group });
    await waitFor(() => seen.filter((s) => s.startsWith('poison')).length === 2, {
      description: 'the redriven letter handled',
    });

    const processSpans = (spans: readonly JaegerSpan[]) =>
      spans.filter((s) => s.operationName === `process ${topic.name}`);
    const spans = await waitFor(
      async () => {
        const res = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
        if (!res.ok) return undefined;
        const { data } = (await res.json()) as { data: { spans: JaegerSpan[] }[] };
        const found = data[0]?.spans ?? [];
        return processSpans(found).length >= 4 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: `the four process spans in trace ${traceId}` },
    );

    const sendOf = (eventId: string) =>
      spans.find(
        (s) => s.operationName === `send ${topic.name}` && tag(s, 'messaging.message.id') === eventId,
      );
    const attempts = (eventId: string) =>
      processSpans(spans)
        .filter((s) => tag(s, 'messaging.message.id') === eventId)
        .sort(
          (a, b) =>
            Number(tag(a, 'tributary.delivery.attempt')) - Number(tag(b, 'tributary.delivery.attempt')),
        );

    // The retry: attempt 1 failed (retry), attempt 2 read from the retry topic was handled; both under the send.
    const flakySend = sendOf(flaky!.eventId)!;
    expect(tag(flakySend, 'messaging.consumer.group.name')).toBeUndefined();
    const [first, second] = attempts(flaky!.eventId);
    expect([first, second].map((s) => parentOf(s!))).toEqual([flakySend.spanID, flakySend.spanID]);
    expect(tag(first!, 'tributary.delivery.attempt')).toBe(1);
    expect(tag(first!, 'tributary.delivery.outcome')).toBe('retry');
    expect(tag(first!, 'error.type')).toBe('RetriableError');
    expect(tag(second!, 'tributary.delivery.attempt')).toBe(2);
    expect(tag(second!, 'tributary.delivery.outcome')).toBe('handled');
    expect(tag(second!, 'tributary.delivery.via')).toEqual(expect.stringContaining(consumer.retryTopic));
    expect(tag(second!, 'messaging.consumer.group.name')).toBe(group);

    // The dead letter and its redrive: both under the send, the second marked as redriven.
    const poisonSend = sendOf(poison!.eventId)!;
    const poisoned = processSpans(spans).filter((s) => tag(s, 'messaging.message.id') === poison!.eventId);
    expect(poisoned.map(parentOf)).toEqual([poisonSend.spanID, poisonSend.spanID]);
    expect(poisoned.map((s) => tag(s, 'tributary.delivery.outcome')).sort()).toEqual([
      'dead-letter',
      'handled',
    ]);
    const redriven = poisoned.find((s) => tag(s, 'tributary.delivery.outcome') === 'handled')!;
    expect(tag(redriven, 'tributary.delivery.redriven_from')).toEqual(
      expect.stringContaining(consumer.deadLetterTopic),
    );
    expect(tag(redriven, 'tributary.delivery.first')).toBe(false);
  });
});

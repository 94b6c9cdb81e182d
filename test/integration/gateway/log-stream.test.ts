import {
  ALL_TOPICS,
  type Envelope,
  envelopeToHeaders,
  type EventValue,
  mintEnvelope,
  readSample,
  type TopicKey,
  TOPICS,
  type Topics,
} from '@tributary/contracts';
import { LiveTail } from '@tributary/kafka';
import { RuntimeHarness, testConfig, uniqueName, waitFor } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaTaskEvents } from '../../../apps/gateway/src/streams/kafka-task-events';
import { type StreamSink, TaskLogStream } from '../../../apps/gateway/src/streams/task-log-stream';
import { type FeedEntry } from '../../../apps/gateway/src/task/task-feed';
import { tenantId } from '../../../apps/gateway/src/task/tenant';

/**
 * A task's stream read from the log: its history from the topics, then live events that arrive
 * out of causal order (a stage's result before its progress, the terminal event before the review
 * it follows) and are put back in order, each sent once, on any instance, resumable after any id.
 */
const tenant = tenantId('default');
let h: RuntimeHarness;
let tail: LiveTail;
let source: KafkaTaskEvents;

class MemorySink implements StreamSink {
  readonly entries: FeedEntry[] = [];
  closed = false;
  private listeners: (() => void)[] = [];
  write(entry: FeedEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
  heartbeat(): Promise<void> {
    return Promise.resolve();
  }
  end(): void {
    this.closed = true;
    for (const listener of this.listeners) listener();
  }
  onClose(listener: () => void): void {
    this.listeners.push(listener);
  }
}

function publisher(taskId: string) {
  return async <K extends TopicKey>(
    kind: K,
    patch: Partial<EventValue<Topics[K]>>,
    cause: Envelope | undefined,
    index: number,
  ): Promise<Envelope> => {
    const topic = TOPICS[kind];
    const value = { ...(readSample(topic) as object), ...patch, taskId, tenantId: tenant };
    const envelope = mintEnvelope({
      eventType: topic.name,
      correlationId: taskId,
      tenantId: tenant,
      producer: 'test',
      schemaVersion: topic.schemaVersion,
      ...(cause ? { causedBy: cause } : {}),
      index,
      discriminator: `${kind}#${index}`,
    });
    const bytes = await h.serializer.encode(topic, value as never);
    await h.producer.send({
      topic: topic.name,
      messages: [{ key: taskId, value: bytes, headers: envelopeToHeaders(envelope) }],
    });
    return envelope;
  };
}

async function openStream(taskId: string, after: string | undefined) {
  const stream = new TaskLogStream(source, tenant, taskId, after, {
    reorderWindowMs: 30_000,
    heartbeatMs: 60_000,
  });
  const open = await stream.prepare(new Date(Date.now() - 60_000));
  const sink = new MemorySink();
  const done = open ? stream.run(sink) : Promise.resolve();
  return { open, sink, done, stream };
}

beforeAll(async () => {
  h = new RuntimeHarness(testConfig('gateway'));
  await h.prepare(...ALL_TOPICS);
  tail = new LiveTail({
    kafka: h.kafka,
    serializer: h.serializer,
    topics: ALL_TOPICS,
    groupPrefix: uniqueName('streams'),
  });
  h.onClose(() => tail.stop());
  await tail.start();
  source = new KafkaTaskEvents(tail, h.kafka, h.serializer, h.config.kafka.partitions);
});

afterAll(async () => {
  await h?.close();
});

describe('a task stream read from the log', () => {
  it('sends history then live events in causal order, once each, and resumes after any id', async () => {
    const taskId = uniqueName('tsk');
    const publish = publisher(taskId);
    const requested = await publish('taskRequested', {}, undefined, 0);
    await publish('taskProgress', { stage: 'planning', tokenDelta: null }, requested, 0);
    const planned = await publish('taskPlanned', {}, requested, 1);

    const first = await openStream(taskId, undefined);
    expect(first.open).toBe(true);
    await waitFor(() => first.sink.entries.length === 3, { description: 'the history' });

    // Live, out of order: each stage's result before its progress, the end before the review.
    const drafted = await publish('researchCompleted', { round: 1 }, planned, 1);
    await publish('recommendationReady', { rounds: 1 }, drafted, 1);
    await publish('taskProgress', { stage: 'researching', tokenDelta: null }, planned, 0);
    await publish('reviewCompleted', { round: 1, verdict: 'approved' }, drafted, 0);
    await first.done;

    const shown = (sink: MemorySink) => sink.entries.map((e) => `${e.id} ${e.entry.type} ${e.entry.status}`);
    expect(shown(first.sink)).toEqual([
      '0.0 task.requested accepted',
      '1.0 task.progress planning',
      '1.1 task.planned researching',
      '2.0 task.progress researching',
      '2.1 research.completed reviewing',
      '3.0 review.completed reviewing',
      '3.1 recommendation.ready completed',
    ]);
    expect(first.sink.closed).toBe(true);

    // Another reader (any gateway) resuming after the plan gets exactly the rest, in the same order.
    const resumed = await openStream(taskId, '1.1');
    await resumed.done;
    expect(shown(resumed.sink)).toEqual(shown(first.sink).slice(3));

    // A client that has the terminal event has everything.
    expect((await openStream(taskId, '3.1')).open).toBe(false);
  });
});

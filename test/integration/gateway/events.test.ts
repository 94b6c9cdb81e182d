import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Envelope,
  type EventValue,
  mintEnvelope,
  newTraceparent,
  type TopicKey,
  TOPICS,
  type Topics,
} from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { TaskRepository } from '../../../apps/gateway/src/read-model/task.repository';
import { type KafkaTaskEvents } from '../../../apps/gateway/src/streams/kafka-task-events';
import { SseHub } from '../../../apps/gateway/src/streams/sse-hub';
import { TASK_EVENT_SOURCE } from '../../../apps/gateway/src/streams/streams.tokens';
import { sample } from './events';
import { type Gateway, postJson, readEvents, startGateway, waitForTask } from './harness';

/**
 * A task's SSE stream, served from the log (ADR 0008): ids are the events' causal positions, the
 * same on every gateway instance, so a client resumes after any of them anywhere.
 */
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.close();
});

async function submit(on: Gateway = gateway): Promise<string> {
  const userId = await on.newUser();
  const response = await postJson(on, '/v1/tasks', { userId, request: 'a sci-fi novel and a day pack' });
  return ((await response.json()) as { taskId: string }).taskId;
}

/** The submission's `task.requested` as a cause: its event id (once projected) at position 0.0. */
async function requestedOf(taskId: string): Promise<Pick<Envelope, 'eventId' | 'traceparent' | 'position'>> {
  const task = await waitForTask(gateway, taskId, (t) => t.version >= 1, 'task.requested to be applied');
  const stored = await gateway.app.get(TaskRepository).findAnyTenant(task.taskId);
  const requested = stored?.timeline.find((entry) => entry.type === 'task.requested');
  if (!requested) throw new Error(`task ${taskId} has no task.requested`);
  return { eventId: requested.eventId, traceparent: newTraceparent(), position: { depth: 0, index: 0 } };
}

/**
 * The agents' part of a task, produced the way agents produce it: each stage reacts to the event
 * of the stage before (planner: progress and plan; research: draft; reviewer: verdict and result).
 */
async function runAgents(taskId: string): Promise<void> {
  const requested = await requestedOf(taskId);
  await gateway.emit(
    TOPICS.taskProgress,
    sample(TOPICS.taskProgress, taskId, { stage: 'planning', tokenDelta: null }),
    { causedBy: requested },
  );
  const planned = await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId), {
    causedBy: requested,
  });
  const drafted = await gateway.emit(TOPICS.researchCompleted, sample(TOPICS.researchCompleted, taskId), {
    causedBy: planned,
  });
  await gateway.emit(TOPICS.reviewCompleted, sample(TOPICS.reviewCompleted, taskId, approved()), {
    causedBy: drafted,
  });
  await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId), {
    causedBy: drafted,
  });
}

const EXPECTED_TYPES = [
  'task.requested',
  'task.progress',
  'task.planned',
  'research.completed',
  'review.completed',
  'recommendation.ready',
];
const EXPECTED_IDS = ['0.0', '1.0', '1.1', '2.0', '3.0', '3.1'];

/** The stored review sample sends its draft back; these tests want the approval that ends a task. */
const approved = () => ({
  verdict: 'approved' as const,
  score: 0.86,
  critique: 'Relevant.',
  issues: [] as string[],
  findings: [],
});

describe('task event stream (SSE)', () => {
  it('streams history then live events in order, and closes after the terminal event', async () => {
    const taskId = await submit();

    const result = await readEvents(gateway, taskId, { onOpen: () => runAgents(taskId) });
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/event-stream/);
    expect(result.ended).toBe(true);
    expect(result.messages.map((m) => m.event)).toEqual(EXPECTED_TYPES);
    expect(result.messages.map((m) => m.id)).toEqual(EXPECTED_IDS);
    expect(result.messages.map((m) => m.data.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.messages.at(-1)?.data).toMatchObject({
      taskId,
      status: 'completed',
      type: 'recommendation.ready',
    });
  });

  it('puts live events that arrive out of causal order back in order', async () => {
    const taskId = await submit();
    const requested = await requestedOf(taskId);
    // Envelopes as the agents mint them, sent in another order than they happened.
    const event = <K extends TopicKey>(
      kind: K,
      cause: Pick<Envelope, 'eventId' | 'traceparent' | 'position'>,
      index: number,
      patch: Partial<EventValue<Topics[K]>> = {},
    ) => {
      const topic = TOPICS[kind];
      const envelope = mintEnvelope({
        eventType: topic.name,
        correlationId: taskId,
        tenantId: gateway.tenant,
        producer: 'test',
        schemaVersion: topic.schemaVersion,
        causedBy: cause,
        index,
        discriminator: `${kind}#${index}`,
      });
      return { envelope, send: () => gateway.resend(topic, sample(topic, taskId, patch), envelope) };
    };
    const progress = event('taskProgress', requested, 0, { stage: 'planning', tokenDelta: null });
    const planned = event('taskPlanned', requested, 1);
    const drafted = event('researchCompleted', planned.envelope, 0);
    const reviewed = event('reviewCompleted', drafted.envelope, 0, approved());
    const ready = event('recommendationReady', drafted.envelope, 1);

    const result = await readEvents(gateway, taskId, {
      onOpen: async () => {
        // Each stage's result before its progress, the end before the review it follows.
        for (const late of [planned, drafted, ready, progress, reviewed]) await late.send();
      },
    });
    expect(result.ended).toBe(true);
    expect(result.messages.map((m) => m.id)).toEqual(EXPECTED_IDS);
    expect(result.messages.map((m) => m.event)).toEqual(EXPECTED_TYPES);
    expect(result.messages.map((m) => m.data.status)).toEqual([
      'accepted',
      'planning',
      'researching',
      'reviewing',
      'reviewing',
      'completed',
    ]);
  });

  it('resumes from Last-Event-ID with no gap and no repeat; 204 once the client has everything', async () => {
    const taskId = await submit();
    await runAgents(taskId);

    const firstPart = await readEvents(gateway, taskId, { stopAfter: 2 });
    expect(firstPart.messages.map((m) => m.id)).toEqual(['0.0', '1.0']);
    const rest = await readEvents(gateway, taskId, { lastEventId: firstPart.messages.at(-1)?.id });
    expect(rest.ended).toBe(true);
    expect(rest.messages.map((m) => m.id)).toEqual(['1.1', '2.0', '3.0', '3.1']);
    expect(rest.messages.map((m) => m.data.seq)).toEqual([3, 4, 5, 6]);
    expect([...firstPart.messages, ...rest.messages].map((m) => m.event)).toEqual(EXPECTED_TYPES);

    const nothingLeft = await readEvents(gateway, taskId, { lastEventId: '3.1' });
    expect(nothingLeft.status).toBe(204);
    // An id of the right shape that this task never sent: the whole history again, nothing missed.
    const unknown = await readEvents(gateway, taskId, { lastEventId: '99.0' });
    expect(unknown.messages.map((m) => m.id)).toEqual(EXPECTED_IDS);
    const garbage = await gateway.fetch(`/v1/tasks/${taskId}/events`, {
      headers: { 'last-event-id': 'abc' },
    });
    expect(garbage.status).toBe(400);
    const garbageQuery = await gateway.fetch(`/v1/tasks/${taskId}/events?lastEventId=abc`);
    expect(garbageQuery.status).toBe(400);
    const missing = await gateway.fetch('/v1/tasks/tsk_00000000000000000000000000/events');
    expect(missing.status).toBe(404);
  });

  it('a second gateway instance streams the same events with the same ids, and resumes after any of them', async () => {
    // Another instance on the same database, without a projection of its own.
    const other = await startGateway(
      { projection: { enabled: false } },
      { TRIBUTARY_MONGO_URI: gateway.mongoUri },
    );
    try {
      const taskId = await submit();
      const [here, there] = await Promise.all([
        readEvents(gateway, taskId, { onOpen: () => runAgents(taskId) }),
        readEvents(other, taskId),
      ]);
      expect(there.ended).toBe(true);
      expect(there.messages.map((m) => m.id)).toEqual(EXPECTED_IDS);
      expect(here.messages).toEqual(there.messages);

      const resumed = await readEvents(other, taskId, { lastEventId: '1.1' });
      expect(resumed.messages.map((m) => m.id)).toEqual(['2.0', '3.0', '3.1']);
      expect((await readEvents(other, taskId, { lastEventId: '3.1' })).status).toBe(204);
    } finally {
      await other.close();
    }
  });

  it('releases the stream when the client goes away', async () => {
    const taskId = await submit();
    const hub = gateway.app.get(SseHub);
    const source = gateway.app.get<KafkaTaskEvents>(TASK_EVENT_SOURCE);
    let openWhileReading = 0;
    const partial = await readEvents(gateway, taskId, {
      stopAfter: 1,
      onOpen: async () => {
        await waitFor(() => hub.open === 1 && source.listening === 1, {
          description: 'the stream to be open',
          timeoutMs: 5_000,
        });
        openWhileReading = hub.open;
      },
    });
    expect(partial.messages).toHaveLength(1);
    expect(openWhileReading).toBe(1);
    await waitFor(() => hub.open === 0 && source.listening === 0, {
      description: 'the stream to be released after the client left',
      timeoutMs: 5_000,
    });
  });

  it('ends open streams and closes promptly on shutdown', async () => {
    // A second gateway without a projection, and no agents: its task never ends, so its stream stays open.
    const other = await startGateway({ projection: { enabled: false } });
    let closed = false;
    try {
      const taskId = await submit(other);
      const reading = readEvents(other, taskId, {
        onOpen: async () => {
          await waitFor(() => other.app.get(SseHub).open === 1, {
            description: 'the stream to open',
            timeoutMs: 5_000,
          });
          const started = Date.now();
          await other.close();
          closed = true;
          expect(Date.now() - started).toBeLessThan(3_000);
        },
      });
      const result = await reading;
      expect(result.ended).toBe(true);
      expect(result.messages.map((m) => m.event)).toEqual(['task.requested']);
    } finally {
      if (!closed) await other.close();
    }
  });
});

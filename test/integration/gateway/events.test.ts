import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { watchListeners } from '@tributary/testing/gateway/watch-listeners';
import { ProjectionApplier } from '../../../apps/gateway/src/read-model/projection/projection-applier';
import { TaskEventRepository } from '../../../apps/gateway/src/read-model/task-event.repository';
import { TaskNotifier } from '../../../apps/gateway/src/read-model/task-notifier';
import { TaskRepository } from '../../../apps/gateway/src/read-model/task.repository';
import { SseHub } from '../../../apps/gateway/src/streams/sse-hub';
import { toProjected } from '../../../apps/gateway/src/task/to-projected';
import { sample } from './events';
import { type Gateway, postJson, readEvents, startGateway, waitForTask } from './harness';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.close();
});

async function submit(): Promise<string> {
  const userId = await gateway.newUser();
  const response = await postJson(gateway, '/v1/tasks', { userId, request: 'a sci-fi novel and a day pack' });
  return ((await response.json()) as { taskId: string }).taskId;
}

/** The agents' part of a task, produced by hand: progress, plan, draft, approval, result. */
async function runAgents(taskId: string): Promise<void> {
  await gateway.emit(
    TOPICS.taskProgress,
    sample(TOPICS.taskProgress, taskId, { stage: 'planning', tokenDelta: null }),
  );
  await waitForTask(gateway, taskId, (t) => t.status === 'planning', 'planning');
  await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId));
  await waitForTask(gateway, taskId, (t) => t.status === 'researching', 'researching');
  await gateway.emit(TOPICS.researchCompleted, sample(TOPICS.researchCompleted, taskId));
  await waitForTask(gateway, taskId, (t) => t.status === 'reviewing', 'reviewing');
  await gateway.emit(TOPICS.reviewCompleted, sample(TOPICS.reviewCompleted, taskId));
  await waitForTask(gateway, taskId, (t) => t.version === 5, 'the review');
  await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId));
}

const EXPECTED_TYPES = [
  'task.requested',
  'task.progress',
  'task.planned',
  'research.completed',
  'review.completed',
  'recommendation.ready',
];

describe('task event stream (SSE)', () => {
  it('streams history then live events in order, and closes after the terminal event', async () => {
    const taskId = await submit();
    await waitForTask(gateway, taskId, (t) => t.version === 1, 'task.requested to be applied');

    const result = await readEvents(gateway, taskId, { onOpen: () => runAgents(taskId) });
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/event-stream/);
    expect(result.ended).toBe(true);
    expect(result.messages.map((m) => m.event)).toEqual(EXPECTED_TYPES);
    expect(result.messages.map((m) => m.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(result.messages.map((m) => m.data.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.messages.at(-1)?.data).toMatchObject({
      taskId,
      status: 'completed',
      type: 'recommendation.ready',
    });
  });

  it('resumes from Last-Event-ID with no gap and no repeat; 204 once the client has everything', async () => {
    const taskId = await submit();
    await runAgents(taskId);
    await waitForTask(gateway, taskId, (t) => t.terminal, 'completion');

    const firstPart = await readEvents(gateway, taskId, { stopAfter: 2 });
    expect(firstPart.messages.map((m) => m.data.seq)).toEqual([1, 2]);
    const rest = await readEvents(gateway, taskId, { lastEventId: Number(firstPart.messages.at(-1)?.id) });
    expect(rest.ended).toBe(true);
    expect(rest.messages.map((m) => m.data.seq)).toEqual([3, 4, 5, 6]);
    expect([...firstPart.messages, ...rest.messages].map((m) => m.event)).toEqual(EXPECTED_TYPES);

    const nothingLeft = await readEvents(gateway, taskId, { lastEventId: 6 });
    expect(nothingLeft.status).toBe(204);
    const ahead = await gateway.fetch(`/v1/tasks/${taskId}/events`, { headers: { 'last-event-id': '99' } });
    expect(ahead.status).toBe(400);
    const garbage = await gateway.fetch(`/v1/tasks/${taskId}/events`, {
      headers: { 'last-event-id': 'abc' },
    });
    expect(garbage.status).toBe(400);
  });

  it('delivers events applied by another gateway instance through polling', async () => {
    const taskId = await submit();
    await waitForTask(gateway, taskId, (t) => t.version === 1, 'task.requested to be applied');
    // Another instance's projection: same database, its own notifier, so this process hears nothing.
    const elsewhere = new ProjectionApplier(
      gateway.app.get(TaskRepository),
      gateway.app.get(TaskEventRepository),
      new TaskNotifier(),
    );
    const result = await readEvents(gateway, taskId, {
      onOpen: async () => {
        const envelope = { eventId: `${taskId}-elsewhere`, occurredAt: new Date().toISOString() };
        await elsewhere.apply([toProjected('taskFailed', envelope, sample(TOPICS.taskFailed, taskId))]);
      },
    });
    expect(result.ended).toBe(true);
    expect(result.messages.map((m) => [m.data.seq, m.event])).toEqual([
      [1, 'task.requested'],
      [2, 'task.failed'],
    ]);
  });

  it('releases the stream when the client goes away', async () => {
    const taskId = await submit();
    await waitForTask(gateway, taskId, (t) => t.version === 1, 'task.requested to be applied');
    const notifier = watchListeners(gateway.app.get(TaskNotifier));
    const hub = gateway.app.get(SseHub);
    let openWhileReading = 0;
    const partial = await readEvents(gateway, taskId, {
      stopAfter: 1,
      onOpen: async () => {
        await waitFor(() => hub.open === 1 && notifier.watchedTasks === 1, {
          description: 'the stream to be open',
          timeoutMs: 5_000,
        });
        openWhileReading = hub.open;
      },
    });
    expect(partial.messages).toHaveLength(1);
    expect(openWhileReading).toBe(1);
    await waitFor(() => hub.open === 0 && notifier.watchedTasks === 0, {
      description: 'the stream to be released after the client left',
      timeoutMs: 5_000,
    });
  });

  it('ends open streams and closes promptly on shutdown', async () => {
    // A second gateway without a projection: its task never moves, so its stream stays open.
    const other = await startGateway({ projection: { enabled: false } });
    let closed = false;
    try {
      const userId = await other.newUser();
      const response = await postJson(other, '/v1/tasks', { userId, request: 'a quiet task' });
      const { taskId } = (await response.json()) as { taskId: string };
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
      expect(result.messages).toEqual([]);
    } finally {
      if (!closed) await other.close();
    }
  });
});

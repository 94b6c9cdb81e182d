import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { bundleEntry, runTributary, spawnBundle, waitFor } from '@tributary/testing';
import { mintTaskId } from '../../../apps/gateway/src/task/ids';
import { sample } from './events';
import { type Gateway, getTask, postJson, startGateway, waitForTask } from './harness';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.close();
});

async function eventRows(taskId: string): Promise<{ seq: number; eventId: string; type: string }[]> {
  const rows = await gateway.mongo.collection('task_events').find({ taskId }).sort({ seq: 1 }).toArray();
  return rows.map((row) => ({ seq: Number(row.seq), eventId: String(row.eventId), type: String(row.type) }));
}

/** The stored review sample sends its draft back; these tests want the approval that ends a task. */
const approved = () => ({
  verdict: 'approved' as const,
  score: 0.86,
  critique: 'Relevant.',
  issues: [] as string[],
  findings: [],
});

describe('projection', () => {
  it('applies hand-produced events delivered out of order and twice, and ends with exactly one terminal state', async () => {
    const taskId = mintTaskId();
    // The result first: the task is created by it and ends completed at once.
    const ready = await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId));
    await waitForTask(
      gateway,
      taskId,
      (t) => t.status === 'completed',
      'the ready event to complete the task',
    );

    const review = await gateway.emit(
      TOPICS.reviewCompleted,
      sample(TOPICS.reviewCompleted, taskId, approved()),
    );
    const research = await gateway.emit(TOPICS.researchCompleted, sample(TOPICS.researchCompleted, taskId));
    const planned = await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId));
    const requested = await gateway.emit(TOPICS.taskRequested, sample(TOPICS.taskRequested, taskId));
    // Redeliveries of events already applied (same envelope, same event id).
    await gateway.resend(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId), planned);
    await gateway.resend(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId), ready);
    // Later terminal events: recorded, but the first terminal state stays.
    await gateway.emit(TOPICS.taskFailed, sample(TOPICS.taskFailed, taskId));
    await gateway.emit(TOPICS.taskCancelRequested, sample(TOPICS.taskCancelRequested, taskId));

    // Sentinels behind the duplicates, on the same topics and key (so the same partitions): one
    // key's messages are handled in offset order, so once both sentinels are applied the duplicates
    // have been handled. Eleven messages, nine distinct events.
    await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId));
    await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId));
    await waitForTask(gateway, taskId, (t) => t.version >= 9, 'the sentinels to be applied');
    const task = await getTask(gateway, taskId);
    expect(task.status).toBe('completed');
    expect(task.terminal).toBe(true);
    expect(task.result?.recommendations).toHaveLength(2);
    expect(task.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(
      task.timeline.filter((e) => e.advanced && ['completed', 'failed', 'cancelled'].includes(e.status)),
    ).toHaveLength(1);
    expect(task.timeline[0]).toMatchObject({
      type: 'recommendation.ready',
      status: 'completed',
      advanced: true,
    });
    expect(task.timeline.slice(1).every((e) => e.status === 'completed' && !e.advanced)).toBe(true);
    expect(task).toMatchObject({
      plan: { steps: expect.any(Array) as unknown },
      rounds: [{ round: 1, verdict: 'approved', score: 0.86 }],
    });

    // The duplicates are consumed too (their offsets pass) without a second row or seq.
    const rows = await eventRows(taskId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(9);
    expect(
      rows.filter((r) =>
        [ready.eventId, review.eventId, research.eventId, planned.eventId, requested.eventId].includes(
          r.eventId,
        ),
      ),
    ).toHaveLength(5);
  });

  it('walks a submitted task through its stages as the agents report them', async () => {
    const userId = await gateway.newUser();
    const { taskId } = (await (
      await postJson(gateway, '/v1/tasks', { userId, request: 'something for weekend hikes' })
    ).json()) as { taskId: string };
    await waitForTask(gateway, taskId, (t) => t.version === 1, 'task.requested to be applied');

    await gateway.emit(
      TOPICS.taskProgress,
      sample(TOPICS.taskProgress, taskId, { stage: 'planning', tokenDelta: null }),
    );
    await waitForTask(gateway, taskId, (t) => t.status === 'planning', 'planning');
    await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId));
    await waitForTask(gateway, taskId, (t) => t.status === 'researching', 'researching');
    await gateway.emit(TOPICS.researchCompleted, sample(TOPICS.researchCompleted, taskId, { round: 1 }));
    await waitForTask(gateway, taskId, (t) => t.status === 'reviewing', 'reviewing');
    await gateway.emit(
      TOPICS.reviewCompleted,
      sample(TOPICS.reviewCompleted, taskId, {
        round: 1,
        verdict: 'revise',
        critique: 'Too narrow.',
        issues: ['one category only'],
        score: 0.4,
      }),
    );
    await waitForTask(
      gateway,
      taskId,
      (t) => t.status === 'researching' && t.version === 5,
      'the revision to send it back to research',
    );
    await gateway.emit(
      TOPICS.taskFailed,
      sample(TOPICS.taskFailed, taskId, { stage: 'researching', reason: 'catalogue unavailable' }),
    );
    const failed = await waitForTask(gateway, taskId, (t) => t.terminal, 'the failure');
    expect(failed).toMatchObject({
      status: 'failed',
      failure: { stage: 'researching', reason: 'catalogue unavailable' },
      rounds: [{ round: 1, verdict: 'revise', critique: 'Too narrow.' }],
    });
    expect((failed.durations as { planningMs: number | null }).planningMs).not.toBeNull();
  });

  it('cancels a running task: 202, then cancelled; a second cancel is a 409', async () => {
    const userId = await gateway.newUser();
    const { taskId } = (await (
      await postJson(gateway, '/v1/tasks', { userId, request: 'a board game for four' })
    ).json()) as { taskId: string };
    const cancel = await postJson(gateway, `/v1/tasks/${taskId}/cancel`, { reason: 'changed my mind' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toMatchObject({ taskId, cancelRequested: true });
    const cancelled = await waitForTask(
      gateway,
      taskId,
      (t) => t.status === 'cancelled',
      'the task to be cancelled',
    );
    expect(cancelled).toMatchObject({ terminal: true, cancellation: { reason: 'changed my mind' } });

    const again = await gateway.fetch(`/v1/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('rebuilds the read model from the topics into fresh collections with the same outcome per task', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const userId = await gateway.newUser();
    const ids: string[] = [];
    for (const end of ['ready', 'failed', 'open'] as const) {
      const { taskId } = (await (
        await postJson(gateway, '/v1/tasks', { userId, request: `rebuild ${end}` })
      ).json()) as { taskId: string };
      ids.push(taskId);
      await gateway.emit(TOPICS.taskPlanned, sample(TOPICS.taskPlanned, taskId));
      if (end === 'ready')
        await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId));
      if (end === 'failed') await gateway.emit(TOPICS.taskFailed, sample(TOPICS.taskFailed, taskId));
    }
    const live = await Promise.all(
      ids.map((id, i) =>
        waitForTask(gateway, id, (t) => t.version === (i === 2 ? 2 : 3), `task ${i} to be projected`),
      ),
    );

    // Through the analysts' command, which runs the gateway's rebuild (the bin users run as `npx tributary`).
    const suffix = `r${Date.now().toString(36)}`;
    const run = await runTributary(['projection', 'rebuild', '--into', suffix, '--since', since], {
      TRIBUTARY_MONGO_URI: gateway.mongoUri,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/rebuilt the read model into tasks_r\w+ and task_events_r\w+ in \d+ ms/);
    expect(run.stdout).toMatch(/tributary\.internal\.task\.requested\.v1\s+\d+\s+0/);
    expect(run.stdout).toMatch(/tasks per final status:/);

    const rebuilt = await gateway.mongo
      .collection(`tasks_${suffix}`)
      .find({ _id: { $in: ids } } as Record<string, unknown>)
      .toArray();
    const byId = new Map(rebuilt.map((doc) => [String(doc._id), doc]));
    for (const task of live) {
      expect(byId.get(task.taskId)).toMatchObject({
        status: task.status,
        version: task.version,
        terminal: task.terminal,
      });
    }
    expect(
      await gateway.mongo.collection(`task_events_${suffix}`).countDocuments({ taskId: { $in: ids } }),
    ).toBe(8);
  });

  it('rebuilds each task exactly as the live projection wrote it: document and rows, field by field', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const reviewed = mintTaskId();
    const failed = mintTaskId();
    const cancelled = mintTaskId();
    // Emitted one at a time, each waited for, so the live projection applies them in the order they
    // happened: the order a rebuild folds them in.
    const steps: [string, () => Promise<unknown>][] = [];
    const emit = <T extends (typeof TOPICS)[keyof typeof TOPICS]>(
      taskId: string,
      topic: T,
      patch: Parameters<typeof sample<T>>[2] = {},
    ) => steps.push([taskId, () => gateway.emit(topic, sample(topic, taskId, patch))]);
    emit(reviewed, TOPICS.taskRequested);
    // Progress is stored only when it moves the task (here from accepted to planning).
    emit(reviewed, TOPICS.taskProgress, { stage: 'planning', tokenDelta: null });
    emit(reviewed, TOPICS.taskPlanned);
    emit(reviewed, TOPICS.researchCompleted, { round: 1 });
    emit(reviewed, TOPICS.reviewCompleted, { round: 1, verdict: 'revise' });
    emit(reviewed, TOPICS.researchCompleted, { round: 2 });
    emit(reviewed, TOPICS.reviewCompleted, { round: 2, verdict: 'revise' });
    emit(reviewed, TOPICS.researchCompleted, { round: 3 });
    emit(reviewed, TOPICS.reviewCompleted, { round: 3, verdict: 'approved' });
    emit(reviewed, TOPICS.recommendationReady, { rounds: 3 });
    emit(failed, TOPICS.taskRequested);
    emit(failed, TOPICS.taskPlanned);
    emit(failed, TOPICS.taskFailed);
    emit(failed, TOPICS.taskCancelRequested); // after the end: recorded, changes nothing
    emit(cancelled, TOPICS.taskRequested);
    emit(cancelled, TOPICS.taskCancelRequested);
    const versions = new Map<string, number>();
    for (const [taskId, send] of steps) {
      await send();
      const version = (versions.get(taskId) ?? 0) + 1;
      versions.set(taskId, version);
      await waitForTask(gateway, taskId, (t) => t.version === version, `${taskId} at version ${version}`);
    }
    // A redelivery: a duplicate for both.
    const planned = sample(TOPICS.taskPlanned, failed);
    await gateway.resend(TOPICS.taskPlanned, planned, await gateway.emit(TOPICS.taskPlanned, planned));
    await waitForTask(gateway, failed, (t) => t.version === 5, 'the re-sent plan of the failed task');
    const ids = [reviewed, failed, cancelled];

    const suffix = `f${Date.now().toString(36)}`;
    const bundle = await bundleEntry('apps/gateway/src/cli/rebuild-projection.ts');
    const run = spawnBundle(bundle, { TRIBUTARY_MONGO_URI: gateway.mongoUri }, [
      '--into',
      suffix,
      '--since',
      since,
      '--batch',
      '7',
      '--json',
    ]);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    // --json: the figures as one JSON object on the last line, for scripts (the bench reads it).
    const figures = JSON.parse(run.output().trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    expect(figures).toMatchObject({ undecodable: 0, refused: 0 });
    expect(figures.tasks).toBeGreaterThanOrEqual(3);
    expect(figures.applied).toBeGreaterThan(0);

    const documents = async (
      collection: string,
      filter: Record<string, unknown>,
    ): Promise<Record<string, unknown>[]> =>
      gateway.mongo.collection(collection).find(filter).sort({ _id: 1 }).toArray();
    const live = await documents('tasks', { _id: { $in: ids } });
    const rebuilt = await documents(`tasks_${suffix}`, { _id: { $in: ids } });
    expect(live.map((t) => [String(t._id), t.status, t.version])).toEqual(
      [
        [reviewed, 'completed', 10],
        [failed, 'failed', 5],
        [cancelled, 'cancelled', 2],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(live.find((t) => String(t._id) === reviewed)?.rounds).toHaveLength(3);
    expect(rebuilt).toEqual(live);
    // Same fields in the same order, too (toEqual ignores order).
    expect(rebuilt.map((t) => Object.keys(t))).toEqual(live.map((t) => Object.keys(t)));

    const liveRows = await documents('task_events', { taskId: { $in: ids } });
    const rebuiltRows = await documents(`task_events_${suffix}`, { taskId: { $in: ids } });
    expect(liveRows).toHaveLength(17);
    expect(rebuiltRows).toEqual(liveRows);
    expect(rebuiltRows.map((r) => Object.keys(r))).toEqual(liveRows.map((r) => Object.keys(r)));
  });

  it("lists a user's latest completed results", async () => {
    const userId = await gateway.newUser();
    const { taskId } = (await (
      await postJson(gateway, '/v1/tasks', { userId, request: 'a sci-fi novel' })
    ).json()) as { taskId: string };
    await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId, { userId }));
    await waitForTask(gateway, taskId, (t) => t.status === 'completed', 'completion');
    // A read of the task sees its log as soon as the event's row is claimed; the lists are written
    // right after, with the task document: wait for them rather than for the read.
    const body = await waitFor(
      async () => {
        const response = await gateway.fetch(`/v1/users/${userId}/recommendations?limit=5`);
        expect(response.status).toBe(200);
        const page = (await response.json()) as {
          userId: string;
          items: { taskId: string; recommendations: { itemId: string }[]; provider: string }[];
        };
        return page.items.length > 0 ? page : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: 'the completed task listed in the user results' },
    );
    expect(body.userId).toBe(userId);
    expect(body.items.map((i) => i.taskId)).toEqual([taskId]);
    expect(body.items[0]?.recommendations.map((r) => r.itemId)).toEqual(['bk-0007', 'od-0031']);
    expect(body.items[0]?.provider).toBe('offline');
  });
});

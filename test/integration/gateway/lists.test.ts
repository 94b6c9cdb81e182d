import mongoose, { type Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSample, TOPICS, type EventValue } from '@tributary/contracts';
import { testConfig } from '@tributary/testing';
import { ProjectionApplier } from '../../../apps/gateway/src/read-model/projection/projection-applier';
import { taskEventModel } from '../../../apps/gateway/src/read-model/task-event.entity';
import { TaskEventRepository } from '../../../apps/gateway/src/read-model/task-event.repository';
import { type ListFilter, memberships, scopeOf } from '../../../apps/gateway/src/read-model/task-list';
import { TaskListReader } from '../../../apps/gateway/src/read-model/task-list.reader';
import { TaskListRepository } from '../../../apps/gateway/src/read-model/task-list.repository';
import { TaskNotifier } from '../../../apps/gateway/src/read-model/task-notifier';
import { taskModel } from '../../../apps/gateway/src/read-model/task.entity';
import { TaskRepository } from '../../../apps/gateway/src/read-model/task.repository';
import { acceptedTask } from '../../../apps/gateway/src/task/accepted-task';
import { mintTaskId } from '../../../apps/gateway/src/task/ids';
import { type ProjectedEvent } from '../../../apps/gateway/src/task/task-state';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { toProjected } from '../../../apps/gateway/src/task/to-projected';
import { CommandWatch } from '../../support/gateway/command-watch';

/**
 * The task lists against the real store: pages read by `_id` only, in order, without gaps or repeats;
 * filters by user and status; a task listed once per list however its events arrive (redelivered,
 * applied by two instances at once, after a crash between the list writes).
 */

const tenant = tenantId('default');
let connection: Connection;
let commands: CommandWatch;

/** One gateway instance's view of the store: its own repositories (and their in-memory hints). */
function instance(collection = connection.collection('task_lists')) {
  const lists = new TaskListRepository(collection);
  const tasks = new TaskRepository(taskModel(connection, 'tasks'), lists);
  const events = new TaskEventRepository(taskEventModel(connection, 'task_events'));
  return {
    lists,
    tasks,
    reader: new TaskListReader(lists, tasks),
    applier: new ProjectionApplier(tasks, events, new TaskNotifier(), lists),
  };
}

type Requested = EventValue<typeof TOPICS.taskRequested>;

/** The events of a task of `userId` up to `until`, as the projection receives them. */
function lifecycle(
  taskId: string,
  userId: string,
  until: 'researching' | 'completed' | 'failed',
): ProjectedEvent[] {
  let second = 0;
  const at = () => ({
    eventId: `${taskId}-${++second}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 10, 0, second)).toISOString(),
  });
  const value = <T>(sample: unknown, patch: Partial<T> = {}): T => ({
    ...(sample as T),
    ...patch,
    taskId,
    tenantId: tenant,
  });
  const requested = readSample(TOPICS.taskRequested) as Requested;
  const events: ProjectedEvent[] = [
    toProjected(
      'taskRequested',
      at(),
      value<Requested>(requested, { request: { ...requested.request, userId } }),
    ),
    toProjected('taskPlanned', at(), value(readSample(TOPICS.taskPlanned))),
  ];
  if (until === 'failed') events.push(toProjected('taskFailed', at(), value(readSample(TOPICS.taskFailed))));
  if (until === 'completed') {
    events.push(
      toProjected('researchCompleted', at(), value(readSample(TOPICS.researchCompleted))),
      toProjected('reviewCompleted', at(), value(readSample(TOPICS.reviewCompleted))),
      toProjected(
        'recommendationReady',
        at(),
        value<EventValue<typeof TOPICS.recommendationReady>>(readSample(TOPICS.recommendationReady), {
          userId,
        }),
      ),
    );
  }
  return events;
}

/** Every page of a list, `limit` at a time: the task ids in order, and how many pages it took. */
async function readAll(
  reader: TaskListReader,
  filter: ListFilter,
  limit: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let before: number | undefined;
  let pages = 0;
  do {
    const page = await reader.page(tenant, { scope: scopeOf(filter), limit, before });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((i) => i.taskId));
    before = page.before;
    pages += 1;
  } while (before !== undefined && pages < 100);
  return { ids, pages };
}

const user = () => `u-list-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  const base = new URL(testConfig('gateway').mongoUri);
  base.pathname = `/lists_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  connection = await mongoose
    .createConnection(base.toString(), { monitorCommands: true, serverSelectionTimeoutMS: 10_000 })
    .asPromise();
  await taskModel(connection, 'tasks').init();
  await taskEventModel(connection, 'task_events').init();
  await instance().lists.ensureCollection();
  commands = new CommandWatch(connection.getClient());
});

afterAll(async () => {
  await connection?.dropDatabase().catch(() => undefined);
  await connection?.close();
});

describe('task lists', () => {
  it('pages through submitted tasks newest first, without gaps or repeats, also while tasks arrive', async () => {
    const { tasks, reader } = instance();
    const owner = user();
    const ids = Array.from({ length: 23 }, () => mintTaskId());
    const submit = (taskId: string) =>
      tasks.insertAccepted(
        acceptedTask(
          taskId,
          tenant,
          { ...(readSample(TOPICS.taskRequested) as Requested).request, userId: owner },
          null,
          new Date(),
        ),
      );
    // Concurrent submissions go in one group-committed batch; the list keeps their creation order.
    await Promise.all(ids.map(submit));

    const mark = commands.mark();
    const all = await readAll(reader, { userId: owner }, 5);
    expect(all.ids).toEqual([...ids].reverse());
    expect(all.pages).toBe(5);
    expect(commands.offenders(mark)).toEqual([]);

    // Tasks submitted between two pages go on top; the pages after the cursor are unchanged.
    const first = await reader.page(tenant, { scope: scopeOf({ userId: owner }), limit: 10 });
    const later = Array.from({ length: 3 }, () => mintTaskId());
    for (const id of later) await submit(id);
    const rest = await reader.page(tenant, {
      scope: scopeOf({ userId: owner }),
      limit: 100,
      before: first.before,
    });
    expect([...first.items, ...rest.items].map((i) => i.taskId)).toEqual([...ids].reverse());
    expect((await readAll(reader, { userId: owner, status: 'accepted' }, 7)).ids).toEqual(
      [...ids, ...later].reverse(),
    );
  });

  it('filters by user and by status, and a task that moved from running to completed is listed there once', async () => {
    const { applier, reader } = instance();
    const [ann, bob] = [user(), user()];
    const plan = [
      [ann, 'completed'],
      [bob, 'failed'],
      [ann, 'researching'],
      [bob, 'completed'],
      [ann, 'failed'],
    ] as const;
    const ids = plan.map(() => mintTaskId());
    const events = plan.map(([owner, until], i) => lifecycle(ids[i]!, owner, until));
    // Up to researching first (the completed ones are running then), then the rest, then it all again.
    await applier.apply(events.flatMap((e) => e.slice(0, 2)));
    const running = await readAll(reader, { status: 'researching' }, 50);
    expect(running.ids.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    await applier.apply(events.flatMap((e) => e.slice(2)));
    await applier.apply(events.flat());

    const mine = (filter: ListFilter) =>
      readAll(reader, filter, 2).then((r) => r.ids.filter((id) => ids.includes(id)));
    const newestFirst = (...which: number[]) => which.sort((a, b) => b - a).map((i) => ids[i]);
    expect(await mine({ userId: ann })).toEqual(newestFirst(0, 2, 4));
    expect(await mine({ userId: bob })).toEqual(newestFirst(1, 3));
    expect(await mine({ status: 'completed' })).toEqual(newestFirst(0, 3));
    expect(await mine({ status: 'researching' })).toEqual(newestFirst(2));
    expect(await mine({ status: 'failed' })).toEqual(newestFirst(1, 4));
    expect(await mine({ userId: ann, status: 'completed' })).toEqual(newestFirst(0));
    expect(await mine({ userId: bob, status: 'failed' })).toEqual(newestFirst(1));
    expect(await mine({ userId: ann, status: 'planning' })).toEqual([]);

    const page = await reader.page(tenant, { scope: scopeOf({ userId: ann }), limit: 10 });
    expect(page.items.map((i) => [i.taskId, i.item.status])).toEqual([
      [ids[4], 'failed'],
      [ids[2], 'researching'],
      [ids[0], 'completed'],
    ]);
    const completed = await reader.page(tenant, {
      scope: scopeOf({ userId: ann, status: 'completed' }),
      limit: 5,
    });
    expect(completed.items[0]?.item.result?.recommendations.length).toBeGreaterThan(0);
    expect(completed.before).toBeUndefined();
  });

  it('two instances projecting one tenant at once lose no entry and list no task twice', async () => {
    const a = instance();
    const b = instance();
    const owner = user();
    const ids = Array.from({ length: 30 }, () => mintTaskId());
    const events = ids.map((id, i) => lifecycle(id, owner, i % 3 === 0 ? 'failed' : 'completed'));
    const batches = (list: ProjectedEvent[][]) =>
      Array.from({ length: Math.ceil(list.length / 3) }, (_, i) => list.slice(i * 3, i * 3 + 3).flat());
    const run = async (applier: ProjectionApplier, list: ProjectedEvent[][]) => {
      for (const batch of batches(list)) await applier.apply(batch);
    };
    const mark = commands.mark();
    // Different tasks at once (two partitions): both claim positions in the same lists.
    await Promise.all([
      run(
        a.applier,
        events.slice(0, 20).filter((_, i) => i % 2 === 0),
      ),
      run(
        b.applier,
        events.slice(0, 20).filter((_, i) => i % 2 === 1),
      ),
    ]);
    // The same tasks at once (a partition's old and new owner during a rebalance): both try to list
    // each task; one marker wins each time.
    await Promise.all([run(a.applier, events.slice(20)), run(b.applier, events.slice(20))]);
    expect(commands.offenders(mark)).toEqual([]);

    const reader = instance().reader;
    const expectOnce = async (filter: ListFilter, which: (i: number) => boolean) => {
      const { ids: listed } = await readAll(reader, filter, 4);
      const wanted = ids.filter((_, i) => which(i));
      expect(new Set(listed).size).toBe(listed.length);
      expect([...listed].sort()).toEqual([...wanted].sort());
    };
    await expectOnce({ userId: owner }, () => true);
    await expectOnce({ userId: owner, status: 'completed' }, (i) => i % 3 !== 0);
    await expectOnce({ userId: owner, status: 'failed' }, (i) => i % 3 === 0);
    await expectOnce({ userId: owner, status: 'planning' }, () => false);
  });

  it('two writers listing the same tasks at the same moment list each once', async () => {
    const [a, b] = [instance(), instance()];
    const owner = user();
    const states = Array.from({ length: 12 }, () =>
      acceptedTask(
        mintTaskId(),
        tenant,
        { ...(readSample(TOPICS.taskRequested) as Requested).request, userId: owner },
        null,
        new Date(),
      ),
    );
    await a.tasks.writeSnapshots(states);
    const scopes = [scopeOf({}), scopeOf({ userId: owner })];
    const wanted = states.flatMap((state) => memberships(state, scopes));
    // Both read no marker, both claim an entry per task and scope, one marker wins each.
    await Promise.all([a.lists.enlist(wanted), b.lists.enlist(wanted)]);
    const { ids } = await readAll(a.reader, { userId: owner }, 5);
    expect(ids).toEqual(states.map((s) => s.taskId).reverse());
  });

  it('one instance lists a task through its life with at most one insert and one update per batch, reading no marker', async () => {
    const { tasks, applier, reader } = instance();
    const owner = user();
    const id = mintTaskId();
    const events = lifecycle(id, owner, 'completed');
    const request = { ...(readSample(TOPICS.taskRequested) as Requested).request, userId: owner };
    await tasks.insertAccepted(acceptedTask(id, tenant, request, null, new Date(Date.UTC(2026, 0, 1, 10))));
    const sent: { name: string; ids: string[] }[] = [];
    const listen = (event: { commandName: string; command: Record<string, unknown> }) => {
      const { commandName: name, command } = event;
      if (command[name] !== 'task_lists') return;
      const ids =
        name === 'find'
          ? [String((command.filter as { _id: unknown })._id)]
          : name === 'update'
            ? (command.updates as { q: { _id: unknown } }[]).map((u) => String(u.q._id))
            : [];
      sent.push({ name, ids });
    };
    connection.getClient().on('commandStarted', listen);
    try {
      for (const event of events) await applier.apply([event]);
    } finally {
      connection.getClient().off('commandStarted', listen);
    }
    // Markers are what a writer remembers (its own) or knows absent (a status entered the first time).
    expect(sent.filter((c) => c.name === 'find' && c.ids.some((i) => i.includes('|t:')))).toEqual([]);
    expect(sent.filter((c) => c.name === 'insert').length).toBeLessThanOrEqual(events.length);
    expect(sent.filter((c) => c.name === 'update').length).toBeLessThanOrEqual(events.length);
    expect(sent.filter((c) => c.name !== 'find' && c.name !== 'insert' && c.name !== 'update')).toEqual([]);
    for (const filter of [{ userId: owner }, { userId: owner, status: 'completed' as const }]) {
      const { ids } = await readAll(reader, filter, 3);
      expect(ids).toEqual([id]);
    }
    expect((await readAll(reader, { userId: owner, status: 'researching' }, 3)).ids).toEqual([]);
    const [listed] = (await reader.page(tenant, { scope: scopeOf({ userId: owner }), limit: 1 })).items;
    expect(listed?.item).toMatchObject({ status: 'completed', terminal: true });
  });

  // A crash inside the ordered insert of entries and markers (only the first entry went in), or
  // between that insert and the update that makes them live.
  it.each([
    ['between an entry and its marker', 'insertMany'],
    ['between the marker and making it live', 'bulkWrite'],
  ])('a crash %s leaves the task listed once after the redelivery', async (_, crashAt) => {
    const owner = user();
    const collection = connection.collection('task_lists');
    let crashes = 1;
    const crashing = new Proxy(collection, {
      get(target, key, receiver) {
        if (key === crashAt && crashes > 0) {
          return async (documents: unknown[]) => {
            crashes -= 1;
            if (crashAt === 'insertMany') await target.insertMany(documents.slice(0, 1) as never[]);
            throw new Error('crashed in the middle of the list writes');
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const doomed = instance(crashing);
    const id = mintTaskId();
    const events = lifecycle(id, owner, 'completed');
    await expect(doomed.applier.apply(events)).rejects.toThrow(/crashed/);
    expect(crashes).toBe(0);
    // The redelivery, on another instance.
    const other = instance();
    await other.applier.apply(events);
    for (const filter of [{ userId: owner }, { userId: owner, status: 'completed' as const }, {}]) {
      const { ids } = await readAll(other.reader, filter, 3);
      expect(ids.filter((listed) => listed === id)).toEqual([id]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { counting } from '@tributary/testing/gateway/counting';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { MemoryStore } from '@tributary/testing/gateway/memory-store';
import { newTask } from '../../task/accepted-task';
import { claimRow } from '../../task/log';
import { applyEvent } from '../../task/reducer';
import { type ProjectedEvent } from '../../task/task-state';
import { tenantId } from '../../task/tenant';
import { TaskNotifier } from '../task-notifier';
import { TaskReader } from '../task-reader';
import { ProjectionApplier } from './projection-applier';

/** One gateway instance's applier on the shared store. */
function instance(store: MemoryStore, notifier = new TaskNotifier()): ProjectionApplier {
  return new ProjectionApplier(store.taskRepository(), store.eventRepository(), notifier);
}

function types(store: MemoryStore, taskId: string): string[] {
  return store.rowsOf(taskId).map((r) => r.type);
}

/** The stored document agrees with the log: same version, same timeline as the rows. */
function expectSnapshotMatchesLog(store: MemoryStore, taskId: string): void {
  const task = store.tasks.get(taskId)!;
  const rows = store.rowsOf(taskId);
  expect(task.version).toBe(rows.length);
  expect(task.timeline.map((e) => [e.seq, e.eventId, e.status])).toEqual(
    rows.map((r) => [r.seq, r.eventId, r.status]),
  );
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
}

describe('projection applier', () => {
  it('claims seqs by inserting rows keyed <taskId>#<seq>, then writes the task document', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_A');
    const report = await instance(store).apply([f.make('taskRequested'), f.make('taskPlanned')]);
    expect(report).toMatchObject({ applied: 2, duplicates: 0, refused: [] });
    expect([...store.rows.keys()]).toEqual(['tsk_A#0000000001', 'tsk_A#0000000002']);
    expect(store.rowsOf('tsk_A')[1]).toMatchObject({ kind: 'taskPlanned', type: 'task.planned', seq: 2 });
    expect(store.tasks.get('tsk_A')).toMatchObject({ version: 2, status: 'researching' });
    expectSnapshotMatchesLog(store, 'tsk_A');
  });

  it('starts a task’s next batch from the state it wrote, without reading the document back', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_R');
    const tasks = counting(store.taskRepository(), 'findAnyTenant');
    const applier = new ProjectionApplier(tasks.target, store.eventRepository(), new TaskNotifier());
    await applier.apply([f.make('taskRequested')]);
    expect(tasks.calls()).toBe(1);
    await applier.apply([f.make('taskPlanned')]);
    await applier.apply([f.make('researchCompleted')]);
    expect(tasks.calls()).toBe(1);
    expect(store.tasks.get('tsk_R')).toMatchObject({ version: 3, status: 'reviewing' });
    expectSnapshotMatchesLog(store, 'tsk_R');
  });

  it('skips progress arriving after a task it saw end without reading the task', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_L');
    const tasks = counting(store.taskRepository(), 'findAnyTenant');
    const applier = new ProjectionApplier(tasks.target, store.eventRepository(), new TaskNotifier());
    await applier.apply([f.make('taskRequested'), f.make('taskPlanned'), f.make('taskCancelRequested')]);
    expect(tasks.calls()).toBe(1);
    const late = await applier.apply([
      f.make('taskProgress', { stage: 'researching', tokenDelta: null }),
      f.make('taskProgress', { stage: 'drafting', tokenDelta: 'Look' }),
    ]);
    expect(late).toMatchObject({ applied: 0, duplicates: 0, skipped: 2, refused: [] });
    expect(tasks.calls()).toBe(1);
    // Anything else of the ended task is recorded, on the ended state it kept (still no read).
    const failed = await applier.apply([f.make('taskFailed')]);
    expect(failed).toMatchObject({ applied: 1 });
    expect(tasks.calls()).toBe(1);
    expect(types(store, 'tsk_L')).toEqual([
      'task.requested',
      'task.planned',
      'task.cancel-requested',
      'task.failed',
    ]);
    expectSnapshotMatchesLog(store, 'tsk_L');
  });

  it('an ended state it kept that another instance has since overtaken catches up from the log', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_V');
    const a = instance(store);
    await a.apply([f.make('taskRequested'), f.make('taskCancelRequested')]);
    // After a rebalance B records a late event of the ended task; A still holds version 2.
    await instance(store).apply([f.make('taskPlanned')]);
    const report = await a.apply([f.make('researchCompleted')]);
    expect(report).toMatchObject({ applied: 1, duplicates: 0 });
    expect(types(store, 'tsk_V')).toEqual([
      'task.requested',
      'task.cancel-requested',
      'task.planned',
      'research.completed',
    ]);
    expect(store.tasks.get('tsk_V')).toMatchObject({ version: 4, status: 'cancelled' });
    expectSnapshotMatchesLog(store, 'tsk_V');
  });

  it('progress of another tenant on a task it saw end is still read and refused', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_T');
    const applier = instance(store);
    await applier.apply([f.make('taskRequested'), f.make('taskCancelRequested')]);
    const foreign = new EventFactory('tsk_T', tenantId('other')).make('taskProgress', {
      stage: 'researching',
      tokenDelta: null,
    });
    const report = await applier.apply([foreign]);
    expect(report.refused).toEqual([foreign]);
  });

  it('starts a task this process accepted from the inserted state, without reading it', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_S');
    const requested = f.make('taskRequested');
    const accepted = newTask('tsk_S', tenantId('default'), new Date('2026-01-01T10:00:00Z'));
    store.tasks.set('tsk_S', structuredClone(accepted));
    store.accepted.set('tsk_S', accepted);
    const tasks = counting(store.taskRepository(), 'findAnyTenant');
    const applier = new ProjectionApplier(tasks.target, store.eventRepository(), new TaskNotifier());
    expect(await applier.apply([requested])).toMatchObject({ applied: 1 });
    expect(tasks.calls()).toBe(0);
    expect(store.accepted.has('tsk_S')).toBe(false);
    expectSnapshotMatchesLog(store, 'tsk_S');
  });

  it('an accepted state another instance has since overtaken catches up from the log', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_U');
    const accepted = newTask('tsk_U', tenantId('default'), new Date('2026-01-01T10:00:00Z'));
    store.tasks.set('tsk_U', structuredClone(accepted));
    await instance(store).apply([f.make('taskRequested'), f.make('taskPlanned')]);
    store.accepted.set('tsk_U', accepted);
    const report = await instance(store).apply([f.make('researchCompleted')]);
    expect(report).toMatchObject({ applied: 1, duplicates: 0 });
    expect(types(store, 'tsk_U')).toEqual(['task.requested', 'task.planned', 'research.completed']);
    expectSnapshotMatchesLog(store, 'tsk_U');
  });

  it('a state it kept that another instance has since overtaken catches up from the log', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_O');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f.make('taskRequested'), f.make('taskPlanned')]);
    // After a rebalance B applies two events; A still holds version 2.
    await b.apply([
      f.make('taskProgress', { stage: 'researching', tokenDelta: null }),
      f.make('researchCompleted'),
    ]);
    const report = await a.apply([f.make('reviewCompleted')]);
    expect(report).toMatchObject({ applied: 1, duplicates: 0 });
    // The progress moved nothing (the plan had already moved the task to researching): not stored.
    expect(types(store, 'tsk_O')).toEqual([
      'task.requested',
      'task.planned',
      'research.completed',
      'review.completed',
    ]);
    expect(store.tasks.get('tsk_O')).toMatchObject({ version: 4 });
    expectSnapshotMatchesLog(store, 'tsk_O');
  });

  it('keeps milestones only: progress that moves nothing, and token-level progress, is skipped', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_M');
    const a = instance(store);
    const report = await a.apply([
      f.make('taskRequested'),
      f.make('taskProgress', { stage: 'planning', tokenDelta: null }),
      f.make('taskProgress', { stage: 'planning', tokenDelta: null }),
      f.make('taskPlanned'),
      f.make('taskProgress', { stage: 'drafting', tokenDelta: 'Look' }),
      f.make('taskProgress', { stage: 'researching', tokenDelta: null }),
      f.make('researchCompleted'),
    ]);
    expect(report).toMatchObject({ applied: 4, duplicates: 0, skipped: 3 });
    // The first planning progress moved the task from accepted to planning: that one is kept.
    expect(types(store, 'tsk_M')).toEqual([
      'task.requested',
      'task.progress',
      'task.planned',
      'research.completed',
    ]);
    expect(store.tasks.get('tsk_M')).toMatchObject({ version: 4, status: 'reviewing' });
    expectSnapshotMatchesLog(store, 'tsk_M');
  });

  it('two instances: the loser of a claim takes in the winner’s row and claims the next seq', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_P');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f.make('taskRequested')]);

    const planned = f.make('taskPlanned');
    const progress = f.make('taskProgress', { stage: 'planning', tokenDelta: null });
    // Both read version 1; B claims seq 2 first.
    store.beforeClaim = () => b.apply([progress]).then(() => undefined);
    const report = await a.apply([planned]);

    expect(report).toMatchObject({ applied: 1, duplicates: 0 });
    expect(store.seqs('tsk_P')).toEqual([1, 2, 3]);
    expect(types(store, 'tsk_P')).toEqual(['task.requested', 'task.progress', 'task.planned']);
    expect(store.tasks.get('tsk_P')).toMatchObject({ version: 3, status: 'researching' });
    expectSnapshotMatchesLog(store, 'tsk_P');
  });

  it('a claim cut short by another writer keeps its first rows and claims the rest after the other’s', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_R');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f.make('taskRequested')]);

    const planned = f.make('taskPlanned');
    const research = f.make('researchCompleted');
    const cancel = f.make('taskCancelRequested');
    // A has inserted seq 2 (planned) and is about to insert seq 3 when B claims seq 3.
    store.afterRow = { index: 0, run: () => b.apply([cancel]).then(() => undefined) };
    const report = await a.apply([planned, research]);

    expect(report).toMatchObject({ applied: 2, duplicates: 0 });
    expect(types(store, 'tsk_R')).toEqual([
      'task.requested',
      'task.planned',
      'task.cancel-requested',
      'research.completed',
    ]);
    expect(store.tasks.get('tsk_R')).toMatchObject({ version: 4, status: 'cancelled' });
    expectSnapshotMatchesLog(store, 'tsk_R');
  });

  it('crash after the claim, before the task write: reads see the claim, the redelivery adopts it', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_Q');
    const a = instance(store);
    const requested = f.make('taskRequested');
    const planned = f.make('taskPlanned');
    await a.apply([requested]);
    store.crashNextWrite = true;
    await expect(a.apply([planned])).rejects.toThrow('crash');
    expect(store.tasks.get('tsk_Q')!.version).toBe(1);
    expect(store.seqs('tsk_Q')).toEqual([1, 2]);

    // A read rolls the document forward over the claim.
    const log = new TaskReader(store.taskRepository(), store.eventRepository());
    expect(await log.current(tenantId('default'), 'tsk_Q')).toMatchObject({
      version: 2,
      status: 'researching',
    });

    // The offset was not committed, so the runtime delivers the event again (here, to another instance).
    const report = await instance(store).apply([planned]);
    expect(report).toMatchObject({ applied: 0, duplicates: 1 });
    expect(store.seqs('tsk_Q')).toEqual([1, 2]);
    expect(store.tasks.get('tsk_Q')).toMatchObject({ version: 2, status: 'researching' });
    expectSnapshotMatchesLog(store, 'tsk_Q');
  });

  it('crash after the claim: another event of the task finishes the dead claim before the redelivery', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_D');
    const a = instance(store);
    const b = instance(store);
    const planned = f.make('taskPlanned');
    await a.apply([f.make('taskRequested')]);
    store.crashNextWrite = true;
    await expect(a.apply([planned])).rejects.toThrow('crash');

    // B's event comes first: B reapplies the planned row it finds at seq 2, then claims seq 3.
    const report = await b.apply([f.make('researchCompleted')]);
    expect(report).toMatchObject({ applied: 1, duplicates: 0 });
    expect(store.tasks.get('tsk_D')).toMatchObject({ version: 3, status: 'reviewing' });
    expect(store.tasks.get('tsk_D')!.plan).not.toBeNull();

    // The redelivered planned event is a duplicate now: no second seq.
    expect(await a.apply([planned])).toMatchObject({ applied: 0, duplicates: 1 });
    expect(types(store, 'tsk_D')).toEqual(['task.requested', 'task.planned', 'research.completed']);
    expectSnapshotMatchesLog(store, 'tsk_D');
  });

  it('crash after a new task’s first claim: the document is created from the log', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_N');
    const ready = f.make('recommendationReady');
    store.crashNextWrite = true;
    await expect(instance(store).apply([ready])).rejects.toThrow('crash');
    expect(store.tasks.has('tsk_N')).toBe(false);
    const log = new TaskReader(store.taskRepository(), store.eventRepository());
    expect(await log.current(tenantId('default'), 'tsk_N')).toMatchObject({
      version: 1,
      status: 'completed',
    });
    expect(await log.current(tenantId('other'), 'tsk_N')).toBeNull();

    const report = await instance(store).apply([ready, f.make('taskPlanned')]);
    expect(report).toMatchObject({ applied: 1, duplicates: 1 });
    expect(store.tasks.get('tsk_N')).toMatchObject({ version: 2, status: 'completed' });
    expectSnapshotMatchesLog(store, 'tsk_N');
  });

  it('crash after the task write, before the offset commit: the redelivery writes nothing', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_W');
    const batch = [f.make('taskRequested'), f.make('taskPlanned')];
    await instance(store).apply(batch);
    const claims = store.claims;
    const writes = store.writes;
    expect(await instance(store).apply(batch)).toMatchObject({ applied: 0, duplicates: 2 });
    expect(store.claims).toBe(claims);
    expect(store.writes).toBe(writes);
    expectSnapshotMatchesLog(store, 'tsk_W');
  });

  it('an overtaken writer that put an older snapshot back rolls forward and writes again', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_O');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f.make('taskRequested')]);

    // A has claimed seq 2; before its task write lands, B claims seq 3 and writes version 3. A's
    // write then puts version 2 back; A sees seq 3 in the log, rolls forward and writes version 3.
    store.beforeWrite = () => b.apply([f.make('researchCompleted')]).then(() => undefined);
    await a.apply([f.make('taskPlanned')]);

    expect(store.tasks.get('tsk_O')).toMatchObject({ version: 3, status: 'reviewing' });
    expectSnapshotMatchesLog(store, 'tsk_O');
  });

  it('exactly one terminal state when two instances apply different terminal events at once', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_T');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f.make('taskRequested')]);
    store.beforeClaim = () => b.apply([f.make('taskFailed')]).then(() => undefined);
    await a.apply([f.make('recommendationReady')]);

    const task = store.tasks.get('tsk_T')!;
    expect(task).toMatchObject({ status: 'failed', terminal: true, result: null, version: 3 });
    expect(task.timeline.filter((e) => e.advanced && e.status === 'failed')).toHaveLength(1);
    expect(task.timeline.at(-1)).toMatchObject({
      type: 'recommendation.ready',
      status: 'failed',
      advanced: false,
    });
    expectSnapshotMatchesLog(store, 'tsk_T');
  });

  it('refuses events of a task that belongs to another tenant, also when only the log knows the task', async () => {
    const store = new MemoryStore();
    const mine = new EventFactory('tsk_X');
    const theirs = new EventFactory('tsk_X', tenantId('other'));
    await instance(store).apply([mine.make('taskRequested')]);
    const foreign = theirs.make('taskFailed');
    const report = await instance(store).apply([foreign, mine.make('taskPlanned')]);
    expect(report.refused).toEqual([foreign]);
    expect(report.applied).toBe(1);
    expect(store.rowsOf('tsk_X').every((r) => r.tenantId === 'default')).toBe(true);

    // A new task whose first claim was made (tenant default) but whose document was never written.
    const first = new EventFactory('tsk_Y').make('taskRequested');
    store.crashNextWrite = true;
    await expect(instance(store).apply([first])).rejects.toThrow('crash');
    const intruder = new EventFactory('tsk_Y', tenantId('other')).make('taskFailed');
    const refused = await instance(store).apply([intruder]);
    expect(refused.refused).toEqual([intruder]);
    expect(store.seqs('tsk_Y')).toEqual([1]);
    // The refusing applier still wrote the document the log describes.
    expect(store.tasks.get('tsk_Y')).toMatchObject({ tenantId: 'default', version: 1 });
  });

  it('a batch of many tasks and repeated events is one claim and one task write', async () => {
    const store = new MemoryStore();
    const factories = ['tsk_1', 'tsk_2', 'tsk_3'].map((id) => new EventFactory(id));
    const batch = factories.flatMap((f) => {
      const requested = f.make('taskRequested');
      return [requested, f.make('taskPlanned'), requested, f.make('taskFailed')];
    });
    const report = await instance(store).apply(batch);
    expect(report).toMatchObject({ applied: 9, duplicates: 3 });
    expect(store.claims).toBe(1);
    expect(store.writes).toBe(1);
    for (const f of factories) {
      expect(store.tasks.get(f.taskId)?.status).toBe('failed');
      expect(store.seqs(f.taskId)).toEqual([1, 2, 3]);
      expectSnapshotMatchesLog(store, f.taskId);
    }
  });

  it('a conflict on one task does not lose the other tasks of the batch', async () => {
    const store = new MemoryStore();
    const f1 = new EventFactory('tsk_1');
    const f2 = new EventFactory('tsk_2');
    const a = instance(store);
    const b = instance(store);
    await a.apply([f1.make('taskRequested'), f2.make('taskRequested')]);
    store.beforeClaim = () => b.apply([f1.make('taskProgress', { tokenDelta: null })]).then(() => undefined);
    const report = await a.apply([f1.make('taskPlanned'), f2.make('taskPlanned')]);
    expect(report).toMatchObject({ applied: 2, duplicates: 0 });
    expect(store.seqs('tsk_1')).toEqual([1, 2, 3]);
    expect(store.seqs('tsk_2')).toEqual([1, 2]);
    expectSnapshotMatchesLog(store, 'tsk_1');
    expectSnapshotMatchesLog(store, 'tsk_2');
  });

  it('settles conflicts on many tasks of one batch in one extra round, not one round each', async () => {
    const store = new MemoryStore();
    const factories = Array.from({ length: 60 }, (_, i) => new EventFactory(`tsk_M${i}`));
    const a = instance(store);
    const b = instance(store);
    await a.apply(factories.map((f) => f.make('taskRequested')));
    // Another instance gets a progress event of every task in first.
    store.beforeClaim = () =>
      b.apply(factories.map((f) => f.make('taskProgress', { tokenDelta: null }))).then(() => undefined);
    const claimsBefore = store.claims;
    const report = await a.apply(factories.map((f) => f.make('taskPlanned')));
    expect(report).toMatchObject({ applied: 60, duplicates: 0 });
    // One insert per conflicting task, then one for the whole second round (plus B's own claim).
    expect(store.claims - claimsBefore).toBe(60 + 1 + 1);
    for (const f of factories) {
      expect(types(store, f.taskId)).toEqual(['task.requested', 'task.progress', 'task.planned']);
      expectSnapshotMatchesLog(store, f.taskId);
    }
  });

  it('writes a document again when its creation lost a race with another writer', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_L');
    store.loseNextWrite = true;
    await instance(store).apply([f.make('taskRequested')]);
    expect(store.writes).toBe(2);
    expectSnapshotMatchesLog(store, 'tsk_L');
  });

  it('notifies local streams of the tasks it changed, once the task is written', async () => {
    const store = new MemoryStore();
    const notifier = new TaskNotifier();
    const seen: number[] = [];
    notifier.subscribe('tsk_Z', () => seen.push(store.tasks.get('tsk_Z')?.version ?? -1));
    const f = new EventFactory('tsk_Z');
    const requested = f.make('taskRequested');
    await instance(store, notifier).apply([requested]);
    await instance(store, notifier).apply([requested]);
    expect(seen).toEqual([1]);
  });

  it('refuses a row that does not continue the task (a broken log) instead of guessing', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_B');
    await instance(store).apply([f.make('taskRequested')]);
    const bogus: ProjectedEvent = f.make('taskPlanned');
    const outcome = applyEvent(null, bogus);
    if (outcome.kind !== 'applied') throw new Error('expected an applied outcome');
    // A row claiming seq 2 whose entry says seq 1: not what reapplying it gives.
    store.rows.set('tsk_B#0000000002', {
      ...claimRow(outcome.state, outcome.entry, bogus),
      _id: 'tsk_B#0000000002',
    });
    await expect(instance(store).apply([f.make('taskFailed')])).rejects.toThrow(
      /does not continue task tsk_B/,
    );
  });
});

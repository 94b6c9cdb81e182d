import { describe, expect, it } from 'vitest';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { MemoryStore } from '@tributary/testing/gateway/memory-store';
import { type TaskEventRow } from '../../task/log';
import { type ProjectedEvent } from '../../task/task-state';
import { tenantId } from '../../task/tenant';
import { TaskNotifier } from '../task-notifier';
import { scopeOf } from '../task-list';
import { type TaskDocument, toDocument } from '../task.entity';
import { ProjectionApplier } from './projection-applier';
import { byOccurrence, RebuildFolder, type TaskWrite } from './rebuild';

/** The collections a rebuild writes, applying its writes as the command does. */
class Written {
  readonly tasks = new Map<string, TaskDocument>();
  readonly rows = new Map<string, TaskEventRow>();

  apply(writes: readonly TaskWrite[]): void {
    for (const write of writes) {
      expect(this.tasks.has(write.taskId)).toBe(write.rewrite);
      for (const id of write.stale) expect(this.rows.delete(id)).toBe(true);
      for (const row of write.rows) {
        expect(this.rows.has(row._id)).toBe(false);
        this.rows.set(row._id, row);
      }
      this.tasks.set(write.taskId, write.document);
    }
  }
}

/** A few tasks' worth of events: review rounds, a failure, a cancel, a late event, a duplicate, a foreign tenant. */
function history(): ProjectedEvent[] {
  const a = new EventFactory('tsk_A');
  const b = new EventFactory('tsk_B');
  const c = new EventFactory('tsk_C');
  const planned = b.make('taskPlanned');
  const foreign = new EventFactory('tsk_C', tenantId('other'), Date.parse('2026-01-01T11:00:00Z'));
  return [
    a.make('taskRequested'),
    a.make('taskPlanned'),
    a.make('taskProgress'),
    a.make('researchCompleted', { round: 1 }),
    a.make('reviewCompleted', { round: 1, verdict: 'revise' }),
    a.make('researchCompleted', { round: 2 }),
    a.make('reviewCompleted', { round: 2, verdict: 'approved' }),
    a.make('recommendationReady', { rounds: 2 }),
    b.make('taskRequested'),
    planned,
    b.make('taskFailed'),
    b.make('taskCancelRequested'),
    planned,
    c.make('taskRequested'),
    c.make('taskCancelRequested'),
    foreign.make('taskProgress'),
  ];
}

/** What the live applier writes for the same events, applied in time order, `size` at a time. */
async function live(events: readonly ProjectedEvent[], size: number): Promise<Written> {
  const store = new MemoryStore();
  const applier = new ProjectionApplier(store.taskRepository(), store.eventRepository(), new TaskNotifier());
  const ordered = [...events].sort(byOccurrence);
  for (let i = 0; i < ordered.length; i += size) await applier.apply(ordered.slice(i, i + size));
  const written = new Written();
  for (const task of store.tasks.values()) written.tasks.set(task.taskId, toDocument(task));
  for (const [id, row] of store.rows) written.rows.set(id, row);
  return written;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('rebuild folder', () => {
  it('writes the documents and rows the live applier writes, whatever order the events are read in', async () => {
    const events = history();
    const expected = await live(events, 3);
    // tsk_A's progress moved nothing (the plan came first): skipped, as the live applier does.
    expect(expected.tasks.get('tsk_A')).toMatchObject({ status: 'completed', version: 7 });
    expect(expected.tasks.get('tsk_B')).toMatchObject({ status: 'failed', version: 4 });
    expect(expected.tasks.get('tsk_C')).toMatchObject({ status: 'cancelled', version: 2 });
    for (const seed of [1, 2, 3]) {
      const folder = new RebuildFolder();
      for (const event of shuffled(events, seed)) folder.add(event, 0);
      const written = new Written();
      written.apply(folder.rest());
      expect(written.tasks).toEqual(expected.tasks);
      expect([...written.tasks.values()].map((t) => Object.keys(t))).toEqual(
        [...expected.tasks.values()].map((t) => Object.keys(t)),
      );
      expect(new Map([...written.rows].sort())).toEqual(new Map([...expected.rows].sort()));
      expect(folder.counts()).toEqual({
        applied: 13,
        duplicates: 1,
        refused: 1,
        skipped: 1,
        statuses: new Map([
          ['completed', 1],
          ['failed', 1],
          ['cancelled', 1],
        ]),
      });
    }
  });

  it('writes a task that looks finished early, and corrects it from the first changed row when a late event turns up', async () => {
    const a = new EventFactory('tsk_A');
    const requested = a.make('taskRequested');
    const planned = a.make('taskPlanned');
    const research = a.make('researchCompleted'); // happened before the result, read after it
    const ready = a.make('recommendationReady');
    const cancel = a.make('taskCancelRequested');
    const folder = new RebuildFolder(1_000);
    folder.add(requested, 10_000);
    folder.add(planned, 11_000);
    folder.add(ready, 12_000);
    expect(folder.settled(12_500)).toEqual([]); // not far enough past the task yet
    const written = new Written();
    const early = folder.settled(13_000);
    expect(early.map((w) => [w.taskId, w.rewrite, w.rows.length])).toEqual([['tsk_A', false, 3]]);
    written.apply(early);
    expect(folder.settled(20_000)).toEqual([]);

    folder.add(research, 30_000);
    folder.add(cancel, 30_000);
    const late = folder.rest();
    expect(late.map((w) => [w.rewrite, w.stale, w.rows.map((r) => r.seq)])).toEqual([
      [true, ['tsk_A#0000000003'], [3, 4, 5]],
    ]);
    written.apply(late);
    expect(written).toEqual(await live([requested, planned, research, ready, cancel], 2));
    expect(folder.rest()).toEqual([]);
  });

  it('lists every task once: among all, its user, its final status, its user in that status; oldest first', () => {
    const folder = new RebuildFolder();
    for (const event of history()) folder.add(event, event.occurredAt.getTime());
    folder.rest();
    const listings = folder.listings();
    const user = (taskId: string) => listings.find((m) => m.taskId === taskId)!.item.userId!;
    expect(listings.map((m) => [m.taskId, m.scope, m.item.status])).toEqual([
      ['tsk_A', 'all', 'completed'],
      ['tsk_A', scopeOf({ userId: user('tsk_A') }), 'completed'],
      ['tsk_A', scopeOf({ status: 'completed' }), 'completed'],
      ['tsk_A', scopeOf({ userId: user('tsk_A'), status: 'completed' }), 'completed'],
      ['tsk_B', 'all', 'failed'],
      ['tsk_B', scopeOf({ userId: user('tsk_B') }), 'failed'],
      ['tsk_B', scopeOf({ status: 'failed' }), 'failed'],
      ['tsk_B', scopeOf({ userId: user('tsk_B'), status: 'failed' }), 'failed'],
      ['tsk_C', 'all', 'cancelled'],
      ['tsk_C', scopeOf({ userId: user('tsk_C') }), 'cancelled'],
      ['tsk_C', scopeOf({ status: 'cancelled' }), 'cancelled'],
      ['tsk_C', scopeOf({ userId: user('tsk_C'), status: 'cancelled' }), 'cancelled'],
    ]);
    // Only the completed lists carry the result (the user-recommendations page shows it).
    expect(listings.filter((m) => m.item.result !== null).map((m) => m.scope)).toEqual([
      scopeOf({ status: 'completed' }),
      scopeOf({ userId: user('tsk_A'), status: 'completed' }),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { type TaskEventDocument } from '../persistence/task-event.entity';
import { type TaskEventRepository } from '../persistence/task-event.repository';
import {
  type TaskKey,
  type TaskRepository,
  type TaskWrite,
  type WriteResult,
} from '../persistence/task.repository';
import { ProjectionApplier } from './projection-applier';
import { applyEvent } from './reducer';
import { TaskNotifier } from './task-notifier';
import { type TaskState } from './task-state';
import { EventFactory } from './test-events';

/** The two collections in memory, with MongoDB's semantics for what the applier relies on. */
class MemoryStore {
  readonly tasks = new Map<string, TaskState>();
  readonly rows = new Map<string, TaskEventDocument>();
  failNextRecord = false;
  writes = 0;
  /** Runs between the applier's read and its write: another writer getting in first. */
  beforeWrite: (() => void) | undefined;

  taskRepository(): TaskRepository {
    return {
      loadForProjection: (keys: readonly TaskKey[]) => {
        const found = new Map<string, TaskState>();
        for (const key of keys) {
          const task = this.tasks.get(key.taskId);
          if (task) found.set(key.taskId, structuredClone(task));
        }
        return Promise.resolve({ found, foreign: new Set<string>() });
      },
      compareAndSet: (write: TaskWrite): Promise<WriteResult> => {
        this.writes += 1;
        const hook = this.beforeWrite;
        this.beforeWrite = undefined;
        hook?.();
        const current = this.tasks.get(write.state.taskId);
        const ok =
          write.expectedVersion === null ? current === undefined : current?.version === write.expectedVersion;
        if (ok) this.tasks.set(write.state.taskId, structuredClone(write.state));
        return Promise.resolve(ok ? 'written' : 'conflict');
      },
    } as unknown as TaskRepository;
  }

  eventRepository(): TaskEventRepository {
    return {
      record: (rows: readonly TaskEventDocument[]) => {
        if (this.failNextRecord) {
          this.failNextRecord = false;
          return Promise.reject(new Error('crash between the task write and the event rows'));
        }
        for (const row of rows) if (!this.rows.has(row.eventId)) this.rows.set(row.eventId, row);
        return Promise.resolve();
      },
    } as unknown as TaskEventRepository;
  }

  seqs(taskId: string): number[] {
    return [...this.rows.values()]
      .filter((r) => r.taskId === taskId)
      .map((r) => r.seq)
      .sort((a, b) => a - b);
  }
}

describe('projection applier', () => {
  it('reloads and reapplies when another writer changed the task in between, without losing either event', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_P');
    const applier = new ProjectionApplier(
      store.taskRepository(),
      store.eventRepository(),
      new TaskNotifier(),
    );
    await applier.apply([f.make('taskRequested')]);

    const planned = f.make('taskPlanned');
    const progress = f.make('taskProgress', { stage: 'planning', tokenDelta: null });
    // Another instance applies the progress event after our read and before our write.
    store.beforeWrite = () => {
      const outcome = applyEvent(store.tasks.get('tsk_P')!, progress);
      if (outcome.kind !== 'applied') throw new Error('expected the progress event to apply');
      store.tasks.set('tsk_P', outcome.state);
      store.rows.set(progress.eventId, {
        tenantId: outcome.state.tenantId,
        taskId: 'tsk_P',
        ...outcome.entry,
      });
    };
    const writesBefore = store.writes;
    const report = await applier.apply([planned]);

    expect(report.applied).toBe(1);
    expect(store.writes - writesBefore).toBe(2);
    const task = store.tasks.get('tsk_P')!;
    expect(task.version).toBe(3);
    expect(task.timeline.map((e) => e.type)).toEqual(['task.requested', 'task.progress', 'task.planned']);
    expect(task.status).toBe('researching');
    expect(store.seqs('tsk_P')).toEqual([1, 2, 3]);
  });

  it('writes the missing event row with its original seq when a crashed batch is redelivered', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_Q');
    const applier = new ProjectionApplier(
      store.taskRepository(),
      store.eventRepository(),
      new TaskNotifier(),
    );
    const requested = f.make('taskRequested');
    const planned = f.make('taskPlanned');
    await applier.apply([requested]);
    store.failNextRecord = true;
    await expect(applier.apply([planned])).rejects.toThrow('crash');
    expect(store.tasks.get('tsk_Q')!.version).toBe(2);
    expect(store.seqs('tsk_Q')).toEqual([1]);

    // The offset was not committed, so the runtime delivers the event again.
    const report = await applier.apply([planned]);
    expect(report).toMatchObject({ applied: 0, duplicates: 1 });
    expect(store.seqs('tsk_Q')).toEqual([1, 2]);
    expect(store.rows.get(planned.eventId)?.type).toBe('task.planned');
    expect(store.tasks.get('tsk_Q')!.version).toBe(2);
  });

  it('applies a batch of many tasks and repeated events in one pass', async () => {
    const store = new MemoryStore();
    const applier = new ProjectionApplier(
      store.taskRepository(),
      store.eventRepository(),
      new TaskNotifier(),
    );
    const factories = ['tsk_1', 'tsk_2', 'tsk_3'].map((id) => new EventFactory(id));
    const batch = factories.flatMap((f) => {
      const requested = f.make('taskRequested');
      return [requested, f.make('taskPlanned'), requested, f.make('taskFailed')];
    });
    const report = await applier.apply(batch);
    expect(report).toMatchObject({ applied: 9, duplicates: 3 });
    for (const f of factories) {
      expect(store.tasks.get(f.taskId)?.status).toBe('failed');
      expect(store.seqs(f.taskId)).toEqual([1, 2, 3]);
    }
  });
});

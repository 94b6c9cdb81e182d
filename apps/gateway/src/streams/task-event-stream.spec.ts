import { describe, expect, it } from 'vitest';
import { counting } from '@tributary/testing/gateway/counting';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { MemorySink } from '@tributary/testing/gateway/memory-sink';
import { MemoryStore } from '@tributary/testing/gateway/memory-store';
import { watchListeners } from '@tributary/testing/gateway/watch-listeners';
import { ProjectionApplier } from '../read-model/projection/projection-applier';
import { TaskNotifier } from '../read-model/task-notifier';
import { applyEvent } from '../task/reducer';
import { type ProjectedEvent, type TaskState } from '../task/task-state';
import { tenantId } from '../task/tenant';
import { TaskEventStream } from './task-event-stream';

const tenant = tenantId('default');

const options = { pollIntervalMs: 5, heartbeatMs: 1_000, pageSize: 2, retryMs: 1_000 };

function stream(store: MemoryStore, notifier: TaskNotifier, taskId: string, after: number): TaskEventStream {
  return new TaskEventStream(
    { tasks: store.taskRepository(), events: store.eventRepository(), notifier },
    tenant,
    taskId,
    after,
    options,
  );
}

/** A task document as the projection wrote it before its log was keyed by seq: no rows at all. */
function legacyTask(events: readonly ProjectedEvent[]): TaskState {
  let state: TaskState | null = null;
  for (const event of events) {
    const outcome = applyEvent(state, event);
    if (outcome.kind === 'applied') state = outcome.state;
  }
  return state!;
}

describe('task event stream', () => {
  it('serves the history from the task document (rows or not), and ends after the terminal event', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_S');
    store.tasks.set(
      'tsk_S',
      legacyTask([
        f.make('taskRequested'),
        f.make('taskPlanned'),
        f.make('researchCompleted'),
        f.make('recommendationReady'),
      ]),
    );
    const notifier = watchListeners(new TaskNotifier());
    const sink = new MemorySink();
    await stream(store, notifier, 'tsk_S', 0).run(sink);
    expect(sink.ids).toEqual([1, 2, 3, 4]);
    expect(sink.closed).toBe(true);
    expect(sink.chunks[0]).toBe('retry: 1000\n\n');
    expect(sink.chunks.find((c) => c.startsWith('id: 2'))).toContain('event: task.planned');
    expect(notifier.watchedTasks).toBe(0);
  });

  it('sends claims the task document does not show yet, from their rows', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_C');
    const applier = new ProjectionApplier(
      store.taskRepository(),
      store.eventRepository(),
      new TaskNotifier(),
    );
    await applier.apply([f.make('taskRequested'), f.make('taskPlanned')]);
    // The applier of events 3 and 4 died after its claim, before its task write.
    store.crashNextWrite = true;
    await expect(applier.apply([f.make('researchCompleted'), f.make('taskFailed')])).rejects.toThrow('crash');
    expect(store.tasks.get('tsk_C')!.version).toBe(2);

    const sink = new MemorySink();
    await stream(store, new TaskNotifier(), 'tsk_C', 1).run(sink);
    expect(sink.ids).toEqual([2, 3, 4]);
    expect(sink.closed).toBe(true);
  });

  it('resumes after the cursor, sends live events once each, in order', async () => {
    const store = new MemoryStore();
    const notifier = new TaskNotifier();
    const applier = new ProjectionApplier(store.taskRepository(), store.eventRepository(), notifier);
    const f = new EventFactory('tsk_T');
    await applier.apply([f.make('taskRequested'), f.make('taskPlanned')]);
    const sink = new MemorySink();
    const done = stream(store, notifier, 'tsk_T', 1).run(sink);
    await expect.poll(() => sink.ids).toEqual([2]);
    for (const event of [
      f.make('researchCompleted'),
      f.make('reviewCompleted'),
      f.make('taskProgress', { stage: 'reviewing', tokenDelta: null }),
    ]) {
      await applier.apply([event]);
      notifier.notify('tsk_T');
    }
    await expect.poll(() => sink.ids).toEqual([2, 3, 4, 5]);
    expect(sink.closed).toBe(false);
    await applier.apply([f.make('taskFailed')]);
    await done;
    expect(sink.ids).toEqual([2, 3, 4, 5, 6]);
    expect(sink.closed).toBe(true);
  });

  it('sends the rows the local projection applied without reading them back', async () => {
    const store = new MemoryStore();
    const notifier = new TaskNotifier();
    const applier = new ProjectionApplier(store.taskRepository(), store.eventRepository(), notifier);
    const f = new EventFactory('tsk_P');
    await applier.apply([f.make('taskRequested')]);
    const events = counting(store.eventRepository(), 'after');
    const sink = new MemorySink();
    const live = new TaskEventStream(
      { tasks: store.taskRepository(), events: events.target, notifier },
      tenant,
      'tsk_P',
      0,
      { ...options, pollIntervalMs: 60_000 },
    );
    const done = live.run(sink);
    await expect.poll(() => sink.ids).toEqual([1]);
    const readsAfterHistory = events.calls();
    await applier.apply([f.make('taskPlanned'), f.make('researchCompleted')]);
    await expect.poll(() => sink.ids).toEqual([1, 2, 3]);
    await applier.apply([f.make('recommendationReady')]);
    await done;
    expect(sink.ids).toEqual([1, 2, 3, 4]);
    expect(sink.closed).toBe(true);
    expect(events.calls()).toBe(readsAfterHistory);
  });

  it('finds events applied by another instance through its poll', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_E');
    // Another instance: its own notifier, so this stream hears nothing from it.
    const elsewhere = new ProjectionApplier(
      store.taskRepository(),
      store.eventRepository(),
      new TaskNotifier(),
    );
    await elsewhere.apply([f.make('taskRequested')]);
    const sink = new MemorySink();
    const done = stream(store, new TaskNotifier(), 'tsk_E', 0).run(sink);
    await expect.poll(() => sink.ids).toEqual([1]);
    await elsewhere.apply([f.make('taskCancelRequested')]);
    await done;
    expect(sink.ids).toEqual([1, 2]);
  });

  it('ends when the task is withdrawn before any event was applied', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_V');
    const accepted = { ...legacyTask([f.make('taskRequested')]), timeline: [], version: 0 };
    store.tasks.set('tsk_V', accepted);
    const tasks = counting(store.taskRepository(), 'findProgress');
    const sink = new MemorySink();
    const done = new TaskEventStream(
      { tasks: tasks.target, events: store.eventRepository(), notifier: new TaskNotifier() },
      tenant,
      'tsk_V',
      0,
      options,
    ).run(sink);
    // Its polls have found the task still there a few times.
    await expect.poll(() => tasks.calls()).toBeGreaterThanOrEqual(2);
    expect(sink.closed).toBe(false);
    store.tasks.delete('tsk_V');
    await done;
    expect(sink.ids).toEqual([]);
    expect(sink.closed).toBe(true);
  });

  it('stops its timers and subscription when the client leaves', async () => {
    const store = new MemoryStore();
    const notifier = watchListeners(new TaskNotifier());
    await new ProjectionApplier(store.taskRepository(), store.eventRepository(), notifier).apply([
      new EventFactory('tsk_U').make('taskRequested'),
    ]);
    const sink = new MemorySink();
    const done = stream(store, notifier, 'tsk_U', 0).run(sink);
    await expect.poll(() => sink.ids).toEqual([1]);
    expect(notifier.watchedTasks).toBe(1);
    sink.leave();
    await done;
    expect(notifier.watchedTasks).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { tenantId } from '../common/tenant';
import { type TaskEventDocument } from '../persistence/task-event.entity';
import { type TaskEventRepository } from '../persistence/task-event.repository';
import { type TaskRepository } from '../persistence/task.repository';
import { applyEvent } from '../projection/reducer';
import { TaskNotifier } from '../projection/task-notifier';
import { type TaskState } from '../projection/task-state';
import { EventFactory } from '../projection/test-events';
import { type SseSink } from './sse';
import { TaskEventStream } from './task-event-stream';

const tenant = tenantId('default');

/** The two collections in memory: `rows` is task_events, `task` the task document. */
class Store {
  task: TaskState | null = null;
  rows: TaskEventDocument[] = [];

  apply(event: Parameters<typeof applyEvent>[1], { recordRow = true } = {}): void {
    const outcome = applyEvent(this.task, event);
    if (outcome.kind !== 'applied') return;
    this.task = outcome.state;
    if (recordRow) this.rows.push({ tenantId: tenant, taskId: outcome.state.taskId, ...outcome.entry });
  }

  repositories(): { tasks: TaskRepository; events: TaskEventRepository } {
    const tasks = {
      findProgress: () =>
        Promise.resolve(
          this.task && { status: this.task.status, terminal: this.task.terminal, version: this.task.version },
        ),
      findTimeline: () =>
        Promise.resolve(
          this.task && {
            status: this.task.status,
            terminal: this.task.terminal,
            version: this.task.version,
            timeline: this.task.timeline,
          },
        ),
    } as unknown as TaskRepository;
    const events = {
      after: (_t: unknown, _id: string, after: number, limit: number) =>
        Promise.resolve(
          this.rows
            .filter((r) => r.seq > after)
            .sort((a, b) => a.seq - b.seq)
            .slice(0, limit),
        ),
    } as unknown as TaskEventRepository;
    return { tasks, events };
  }
}

class MemorySink implements SseSink {
  chunks: string[] = [];
  closed = false;
  private listeners: (() => void)[] = [];
  write(chunk: string): Promise<void> {
    this.chunks.push(chunk);
    return Promise.resolve();
  }
  end(): void {
    this.closed = true;
  }
  onClose(listener: () => void): void {
    this.listeners.push(listener);
  }
  leave(): void {
    this.closed = true;
    for (const l of this.listeners) l();
  }
  get ids(): number[] {
    return this.chunks.filter((c) => c.startsWith('id: ')).map((c) => Number(/^id: (\d+)/.exec(c)?.[1]));
  }
}

const options = { pollIntervalMs: 5, heartbeatMs: 1_000, pageSize: 2, retryMs: 1_000 };

describe('task event stream', () => {
  it('fills a hole from the task timeline when an event row is missing, and ends after the terminal event', async () => {
    const store = new Store();
    const f = new EventFactory('tsk_S');
    store.apply(f.make('taskRequested'));
    // The applier of event 2 "crashed" after writing the task and before writing its row.
    store.apply(f.make('taskPlanned'), { recordRow: false });
    store.apply(f.make('researchCompleted'));
    store.apply(f.make('recommendationReady'));
    const notifier = new TaskNotifier();
    const sink = new MemorySink();
    await new TaskEventStream({ ...store.repositories(), notifier }, tenant, 'tsk_S', 0, options).run(sink);
    expect(sink.ids).toEqual([1, 2, 3, 4]);
    expect(sink.closed).toBe(true);
    expect(sink.chunks[0]).toBe('retry: 1000\n\n');
    expect(sink.chunks.find((c) => c.startsWith('id: 2'))).toContain('event: task.planned');
    expect(notifier.watchedTasks).toBe(0);
  });

  it('resumes after the cursor, sends live events once each, in order', async () => {
    const store = new Store();
    const f = new EventFactory('tsk_T');
    store.apply(f.make('taskRequested'));
    store.apply(f.make('taskPlanned'));
    const notifier = new TaskNotifier();
    const sink = new MemorySink();
    const stream = new TaskEventStream({ ...store.repositories(), notifier }, tenant, 'tsk_T', 1, options);
    const done = stream.run(sink);
    await expect.poll(() => sink.ids).toEqual([2]);
    for (const event of [
      f.make('researchCompleted'),
      f.make('reviewCompleted'),
      f.make('taskProgress', { stage: 'reviewing', tokenDelta: null }),
    ]) {
      store.apply(event);
      notifier.notify('tsk_T');
      notifier.notify('tsk_T');
    }
    await expect.poll(() => sink.ids).toEqual([2, 3, 4, 5]);
    expect(sink.closed).toBe(false);
    store.apply(f.make('taskFailed'));
    notifier.notify('tsk_T');
    await done;
    expect(sink.ids).toEqual([2, 3, 4, 5, 6]);
    expect(sink.closed).toBe(true);
  });

  it('stops its timers and subscription when the client leaves', async () => {
    const store = new Store();
    store.apply(new EventFactory('tsk_U').make('taskRequested'));
    const notifier = new TaskNotifier();
    const sink = new MemorySink();
    const done = new TaskEventStream({ ...store.repositories(), notifier }, tenant, 'tsk_U', 0, options).run(
      sink,
    );
    await expect.poll(() => sink.ids).toEqual([1]);
    expect(notifier.watchedTasks).toBe(1);
    sink.leave();
    await done;
    expect(notifier.watchedTasks).toBe(0);
  });
});

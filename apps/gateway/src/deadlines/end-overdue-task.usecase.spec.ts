import { type Envelope } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import { counting } from '@tributary/testing/gateway/counting';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { MemoryStore } from '@tributary/testing/gateway/memory-store';
import { EndedHere } from '../read-model/ended-here';
import { ProjectionApplier } from '../read-model/projection/projection-applier';
import { TaskNotifier } from '../read-model/task-notifier';
import { TaskReader } from '../read-model/task-reader';
import { type TaskEventPublisher } from '../submission/task-event-publisher';
import { tenantId } from '../task/tenant';
import { EndOverdueTaskUseCase } from './end-overdue-task.usecase';

/** One gateway: its projection and its deadline checks share what it knows of ended tasks. */
function gateway(store: MemoryStore, endedHere = new EndedHere()) {
  const tasks = counting(store.taskRepository(), 'findAnyTenant');
  const published: string[] = [];
  const publisher: TaskEventPublisher = {
    publish: (topic) => {
      published.push(topic.name);
      return Promise.resolve();
    },
  };
  return {
    reads: tasks.calls,
    published,
    applier: new ProjectionApplier(
      tasks.target,
      store.eventRepository(),
      new TaskNotifier(),
      undefined,
      endedHere,
    ),
    overdue: new EndOverdueTaskUseCase(
      new TaskReader(tasks.target, store.eventRepository()),
      publisher,
      endedHere,
    ),
  };
}

function check(f: EventFactory, tenant = f.tenant) {
  return { tenant, taskId: f.taskId, deadlineAt: 1_000, requested: {} as Envelope };
}

describe('the deadline check of a task', () => {
  it('reads nothing for a task whose end this gateway’s projection wrote', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_E');
    const { applier, overdue, reads, published } = gateway(store);
    await applier.apply([f.make('taskRequested'), f.make('taskPlanned'), f.make('taskCancelRequested')]);
    const readsBefore = reads();

    expect(await overdue.execute(check(f))).toBe('had-ended');
    expect(reads()).toBe(readsBefore);
    expect(published).toEqual([]);
  });

  it('reads the task when another gateway wrote its end, and finds it ended', async () => {
    const store = new MemoryStore();
    const f = new EventFactory('tsk_O');
    await gateway(store).applier.apply([f.make('taskRequested'), f.make('taskCancelRequested')]);
    const other = gateway(store);

    expect(await other.overdue.execute(check(f))).toBe('had-ended');
    expect(other.reads()).toBe(1);
    expect(other.published).toEqual([]);
  });

  it('ends a task still running, and answers nothing from memory for another tenant’s task id', async () => {
    const store = new MemoryStore();
    const running = new EventFactory('tsk_R');
    const ended = new EventFactory('tsk_T');
    const { applier, overdue, reads, published } = gateway(store);
    await applier.apply([running.make('taskRequested'), running.make('taskPlanned')]);
    await applier.apply([ended.make('taskRequested'), ended.make('taskCancelRequested')]);

    expect(await overdue.execute(check(running))).toBe('ended');
    expect(published).toHaveLength(1);
    const readsBefore = reads();
    // Another tenant naming the same task id is not told it ended; the store says it has no such task.
    await expect(overdue.execute(check(ended, tenantId('other')))).rejects.toThrow(/not in the read model/);
    expect(reads()).toBe(readsBefore + 1);
  });
});

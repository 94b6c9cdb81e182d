import { describe, expect, it } from 'vitest';
import { KeyScheduler } from './key-scheduler';

interface Task {
  readonly key: string;
  readonly id: number;
}

/** A scheduler whose tasks finish only when the test says so. */
function harness(concurrency: number) {
  const started: Task[] = [];
  const finishers = new Map<number, () => void>();
  const failures = new Map<number, (error: Error) => void>();
  const errors: unknown[] = [];
  const scheduler = new KeyScheduler<Task>({
    concurrency,
    run: (task) =>
      new Promise<void>((resolve, reject) => {
        started.push(task);
        finishers.set(task.id, resolve);
        failures.set(task.id, reject);
      }),
    onError: (error) => errors.push(error),
  });
  const settle = async () => {
    // Let the scheduler's promise callbacks run.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  const finish = async (id: number) => {
    finishers.get(id)?.();
    await settle();
  };
  const fail = async (id: number) => {
    failures.get(id)?.(new Error(`task ${id} failed`));
    await settle();
  };
  return { scheduler, started, finish, fail, errors };
}

describe('KeyScheduler', () => {
  it('runs different keys concurrently up to the limit and queues the rest', () => {
    const { scheduler, started } = harness(3);
    for (let id = 0; id < 5; id += 1) scheduler.submit(`k${id}`, { key: `k${id}`, id });
    expect(started.map((t) => t.id)).toEqual([0, 1, 2]);
    expect(scheduler.running).toBe(3);
    expect(scheduler.queued).toBe(2);
  });

  it('never runs two tasks of one key at once, and runs them in submission order', async () => {
    const { scheduler, started, finish } = harness(4);
    scheduler.submit('a', { key: 'a', id: 1 });
    scheduler.submit('a', { key: 'a', id: 2 });
    scheduler.submit('a', { key: 'a', id: 3 });
    scheduler.submit('b', { key: 'b', id: 4 });
    expect(started.map((t) => t.id)).toEqual([1, 4]);
    await finish(4);
    expect(started.map((t) => t.id)).toEqual([1, 4]);
    await finish(1);
    expect(started.map((t) => t.id)).toEqual([1, 4, 2]);
    await finish(2);
    await finish(3);
    expect(started.map((t) => t.id)).toEqual([1, 4, 2, 3]);
    expect(scheduler.running).toBe(0);
  });

  it('lets a free slot go to the key that has waited longest, not to the busy key again', async () => {
    const { scheduler, started, finish } = harness(1);
    scheduler.submit('busy', { key: 'busy', id: 1 });
    scheduler.submit('busy', { key: 'busy', id: 2 });
    scheduler.submit('other', { key: 'other', id: 3 });
    await finish(1);
    expect(started.map((t) => t.id)).toEqual([1, 3]);
    await finish(3);
    expect(started.map((t) => t.id)).toEqual([1, 3, 2]);
  });

  it('moves on after a failed task and reports it', async () => {
    const { scheduler, started, fail, errors } = harness(1);
    scheduler.submit('a', { key: 'a', id: 1 });
    scheduler.submit('a', { key: 'a', id: 2 });
    await fail(1);
    expect(errors).toHaveLength(1);
    expect(started.map((t) => t.id)).toEqual([1, 2]);
  });

  it('drops queued tasks on request without touching running ones', async () => {
    const { scheduler, started, finish } = harness(1);
    scheduler.submit('a', { key: 'a', id: 1 });
    scheduler.submit('b', { key: 'b', id: 2 });
    scheduler.submit('c', { key: 'c', id: 3 });
    const dropped = scheduler.drop((task) => task.key === 'b');
    expect(dropped.map((t) => t.id)).toEqual([2]);
    expect(scheduler.queued).toBe(1);
    await finish(1);
    expect(started.map((t) => t.id)).toEqual([1, 3]);
  });

  it('resolves whenIdle once everything has run', async () => {
    const { scheduler, finish } = harness(2);
    scheduler.submit('a', { key: 'a', id: 1 });
    scheduler.submit('a', { key: 'a', id: 2 });
    let idle = false;
    void scheduler.whenIdle().then(() => (idle = true));
    await finish(1);
    expect(idle).toBe(false);
    await finish(2);
    expect(idle).toBe(true);
  });

  it('keeps per-key order and the concurrency bound under a random workload', async () => {
    const concurrency = 4;
    const order = new Map<string, number[]>();
    let running = 0;
    let peak = 0;
    const runningKeys = new Set<string>();
    const scheduler = new KeyScheduler<Task>({
      concurrency,
      run: async (task) => {
        expect(runningKeys.has(task.key)).toBe(false);
        runningKeys.add(task.key);
        running += 1;
        peak = Math.max(peak, running);
        order.set(task.key, [...(order.get(task.key) ?? []), task.id]);
        for (let i = 0; i < (task.id * 7) % 5; i += 1) await Promise.resolve();
        running -= 1;
        runningKeys.delete(task.key);
      },
    });
    const submitted = new Map<string, number[]>();
    for (let id = 0; id < 500; id += 1) {
      const key = `k${(id * 31) % 17}`;
      submitted.set(key, [...(submitted.get(key) ?? []), id]);
      scheduler.submit(key, { key, id });
    }
    await scheduler.whenIdle();
    expect(order).toEqual(submitted);
    expect(peak).toBe(concurrency);
  });
});

describe('KeyScheduler priority classes', () => {
  it('starts a high-priority task ahead of a backlog of normal ones', async () => {
    const { scheduler, started, finish } = harness(1);
    scheduler.submit('busy', { key: 'busy', id: 0 });
    for (let id = 1; id <= 200; id += 1) scheduler.submit(`n${id}`, { key: `n${id}`, id }, 1);
    scheduler.submit('urgent', { key: 'urgent', id: 999 }, 0);
    await finish(0);
    expect(started.map((t) => t.id)).toEqual([0, 999]);
  });

  it('shares turns by weight, so lower classes are not starved', async () => {
    const { scheduler, started, finish } = harness(1);
    scheduler.submit('first', { key: 'first', id: 0 });
    for (let i = 1; i <= 60; i += 1) {
      scheduler.submit(`h${i}`, { key: `h${i}`, id: 1000 + i }, 0);
      scheduler.submit(`n${i}`, { key: `n${i}`, id: 2000 + i }, 1);
      scheduler.submit(`l${i}`, { key: `l${i}`, id: 3000 + i }, 2);
    }
    for (let turn = 0; turn < 50; turn += 1) await finish(started[started.length - 1]!.id);
    const turns = started.slice(1, 51);
    const count = (from: number) => turns.filter((t) => t.id >= from && t.id < from + 1000).length;
    // Weights 6:3:1 over 50 turns: 30, 15 and 5.
    expect([count(1000), count(2000), count(3000)]).toEqual([30, 15, 5]);
  });

  it('keeps one key in submission order whatever the priorities of its tasks', async () => {
    const { scheduler, started, finish } = harness(2);
    scheduler.submit('k', { key: 'k', id: 1 }, 2);
    scheduler.submit('k', { key: 'k', id: 2 }, 0);
    scheduler.submit('k', { key: 'k', id: 3 }, 1);
    for (const id of [1, 2, 3]) await finish(id);
    expect(started.map((t) => t.id)).toEqual([1, 2, 3]);
  });
});

import { MemoryCancellationStore } from '@tributary/testing/agents/memory-cancellation-store';
import { describe, expect, it } from 'vitest';
import { CANCELLATION_PRELOAD, CancellationRegistry, TaskCancelledError } from './cancellation';

const first = { firstDelivery: true };
const again = { firstDelivery: false };

describe('CancellationRegistry', () => {
  it('answers a first delivery from memory: no store read, cancelled or not', async () => {
    const store = new MemoryCancellationStore();
    const registry = new CancellationRegistry(store);
    await registry.init();
    await registry.cancel('acme', 'tsk-1', 'changed my mind');

    expect(await registry.isCancelled('acme', 'tsk-1', first)).toBe(true);
    expect(await registry.isCancelled('acme', 'tsk-2', first)).toBe(false);
    expect(await registry.isCancelled('globex', 'tsk-1', first)).toBe(false);
    expect(store.counts.has).toBe(0);
  });

  it('still records every cancellation in the store, shared by all instances', async () => {
    const store = new MemoryCancellationStore();
    const registry = new CancellationRegistry(store);

    await registry.cancel('acme', 'tsk-1', null);

    expect(await store.has('acme', 'tsk-1')).toBe(true);
  });

  it('remembers after a restart what was cancelled lately, from one bounded read at start-up', async () => {
    let now = Date.parse('2030-01-02T00:00:00Z');
    const store = new MemoryCancellationStore(() => now);
    const clock = () => now;
    await new CancellationRegistry(store, clock).cancel('acme', 'tsk-old', null);
    now += CANCELLATION_PRELOAD.withinMs;
    await new CancellationRegistry(store, clock).cancel('acme', 'tsk-1', null);
    now += 1_000;
    const restarted = new CancellationRegistry(store, clock);

    await restarted.init();

    expect(await restarted.isCancelled('acme', 'tsk-1', first)).toBe(true);
    expect(await restarted.isCancelled('acme', 'tsk-old', first)).toBe(false);
    expect(store.counts).toEqual({ has: 0, recent: 1 });
    expect(store.recentAsked).toEqual([
      { since: new Date(now - CANCELLATION_PRELOAD.withinMs), limit: CANCELLATION_PRELOAD.limit },
    ]);
  });

  it('confirms a miss in the store on a retry or redelivery: a cancel another instance took, or an old one, still counts', async () => {
    const store = new MemoryCancellationStore();
    const registry = new CancellationRegistry(store);
    await registry.init();
    // Consumed and recorded by another instance of the group: this one never saw the event.
    await store.add('acme', 'tsk-1', null);

    expect(await registry.isCancelled('acme', 'tsk-1', first)).toBe(false);
    expect(await registry.isCancelled('acme', 'tsk-1', again)).toBe(true);
    expect(await registry.isCancelled('acme', 'tsk-2', again)).toBe(false);
    expect(store.counts.has).toBe(2);
    // Found once, it is held in memory.
    expect(await registry.isCancelled('acme', 'tsk-1', again)).toBe(true);
    expect(store.counts.has).toBe(2);
  });

  it('marks the task and aborts its work before the store write has finished', async () => {
    const store = new MemoryCancellationStore();
    let release: () => void = () => undefined;
    store.add = () => new Promise<void>((resolve) => (release = resolve));
    const registry = new CancellationRegistry(store);
    const work = registry.track('acme', 'tsk-1');

    const cancelling = registry.cancel('acme', 'tsk-1', null);

    expect(await registry.isCancelled('acme', 'tsk-1', first)).toBe(true);
    expect(work.signal.reason).toBeInstanceOf(TaskCancelledError);
    release();
    await cancelling;
  });
});

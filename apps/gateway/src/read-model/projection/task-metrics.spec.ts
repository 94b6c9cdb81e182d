import { scrapeMetrics } from '@tributary/metrics';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { MemoryStore } from '@tributary/testing/gateway/memory-store';
import { Scrape } from '@tributary/testing/metrics';
import { describe, expect, it } from 'vitest';
import { tenantId } from '../../task/tenant';
import { TaskNotifier } from '../task-notifier';
import { ProjectionApplier } from './projection-applier';

const START = Date.parse('2026-01-01T10:00:00Z');

function instance(store: MemoryStore): ProjectionApplier {
  return new ProjectionApplier(store.taskRepository(), store.eventRepository(), new TaskNotifier());
}

describe('task metrics from the projection', () => {
  it('counts each task’s submission and end once, across redeliveries and instances, by tenant, status and failure code', async () => {
    const store = new MemoryStore();
    const acme = tenantId('metrics-acme');
    const failed = new EventFactory('tsk_M1', acme, START);
    const completed = new EventFactory('tsk_M2', acme, START);
    const failedBatch = [
      failed.make('taskRequested', { requestedAt: START }),
      failed.make('taskPlanned'),
      failed.make('taskFailed', { code: 'llm-refused' }),
    ];
    const completedBatch = [
      completed.make('taskRequested', { requestedAt: START }),
      completed.make('recommendationReady'),
      // Recorded, but the task had already ended: no second end.
      completed.make('taskFailed', { code: 'internal-error' }),
    ];
    await instance(store).apply([...failedBatch, ...completedBatch]);
    // A redelivery to this instance, and the same events reaching another instance after a rebalance.
    await instance(store).apply(failedBatch);
    await instance(store).apply([...completedBatch, ...failedBatch]);

    const s = Scrape.parse(await scrapeMetrics());
    const tenant = 'metrics-acme';
    expect(s.value('tributary_tasks_submitted_total', { tenant })).toBe(2);
    expect(s.value('tributary_tasks_ended_total', { tenant })).toBe(2);
    expect(s.value('tributary_tasks_ended_total', { tenant, status: 'failed', reason: 'llm-refused' })).toBe(
      1,
    );
    expect(s.value('tributary_tasks_ended_total', { tenant, status: 'completed', reason: '' })).toBe(1);
    expect(s.count('tributary_task_duration_seconds', { status: 'failed' })).toBe(1);
    expect(s.count('tributary_task_duration_seconds', { status: 'completed' })).toBe(1);
    // From its request to its end: three events a second apart (the factory's clock).
    expect(Number(s.samples('tributary_task_duration_seconds_sum', { status: 'failed' })[0]?.value)).toBe(3);
    expect(s.labelValues().some((value) => value.startsWith('tsk_'))).toBe(false);
  });
});

import { Counter, Histogram } from 'prom-client';
import { OTHER, tenantLabel } from './labels';
import { metricsRegistry } from './registry';

/**
 * Task outcomes, recorded by the gateway's projection when it applies an event: each event is
 * claimed in the read model by exactly one applier, so across gateway instances a task counts once.
 */

const submitted = new Counter({
  name: 'tributary_tasks_submitted_total',
  help: 'Tasks whose task.requested the projection applied, by tenant.',
  labelNames: ['tenant'] as const,
  registers: [metricsRegistry],
});

const ended = new Counter({
  name: 'tributary_tasks_ended_total',
  help: 'Tasks that ended, by tenant, final status (completed, failed, cancelled) and, for failed tasks, the failure code as reason.',
  labelNames: ['tenant', 'status', 'reason'] as const,
  registers: [metricsRegistry],
});

/** Seconds from submission to the end: a task takes seconds (offline) to minutes (a model, review rounds). */
const duration = new Histogram({
  name: 'tributary_task_duration_seconds',
  help: 'Time from a task’s submission to its terminal event, by final status.',
  labelNames: ['status'] as const,
  buckets: [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600],
  registers: [metricsRegistry],
});

export const TASK_END_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type TaskEndStatus = (typeof TASK_END_STATUSES)[number];

export const taskMetrics = {
  submitted(tenantId: string): void {
    submitted.inc({ tenant: tenantLabel.value(tenantId) });
  },

  /**
   * `reason` is the failure code of a failed task (bounded by `knownReasons`: the catalogue of codes),
   * empty otherwise; `seconds` the task's duration, when known.
   */
  ended(
    tenantId: string,
    status: TaskEndStatus,
    reason: string | null,
    seconds: number | null,
    knownReasons: readonly string[],
  ): void {
    const reasonLabel =
      status !== 'failed' ? '' : reason !== null && knownReasons.includes(reason) ? reason : OTHER;
    ended.inc({ tenant: tenantLabel.value(tenantId), status, reason: reasonLabel });
    if (seconds !== null && seconds >= 0) duration.observe({ status }, seconds);
  },
};

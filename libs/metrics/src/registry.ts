import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's one registry: every metric of the project registers here, and `/metrics` serves it.
 * Not prom-client's global default registry, so a dependency that registers metrics of its own there
 * does not change what we serve.
 */
export const metricsRegistry = new Registry();

let processMetrics = false;

/**
 * Adds Node's own metrics (CPU seconds, resident memory, heap, event-loop delay, open handles) to the
 * registry, once per process. Called when a service serves `/metrics`; their cost is one event-loop
 * delay histogram sampled by Node itself and a read of process counters on each scrape.
 */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/** What every log line written while handling one task's event names. */
export interface LogContext {
  readonly taskId?: string;
  readonly tenantId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `fn` with `context` attached to every log line written inside it, across awaits (the Kafka
 * runtime wraps each delivery's handling in one). An inner context adds to the outer one.
 */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer === undefined ? context : { ...outer, ...context }, fn);
}

/**
 * The fields a log line written now carries: the task and tenant of the delivery being handled, and
 * `trace_id` / `span_id` of the active OpenTelemetry span. Without a registered tracer (no SDK)
 * there is no active span and only the task fields appear.
 */
export function logCorrelation(): Record<string, string> {
  const fields: Record<string, string> = {};
  const context = storage.getStore();
  if (context?.taskId !== undefined) fields.taskId = context.taskId;
  if (context?.tenantId !== undefined) fields.tenantId = context.tenantId;
  const span = trace.getActiveSpan()?.spanContext();
  if (span !== undefined && isSpanContextValid(span)) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  return fields;
}

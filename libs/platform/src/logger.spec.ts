import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withLogContext } from './log-context';
import { JsonLogger } from './logger';

function lines(write: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return write.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
}

describe('JsonLogger: logs that join traces', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('names the task and tenant of the delivery being handled, across awaits, and nothing outside it', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    const logger = new JsonLogger('planner-agent');
    logger.log('before');
    await withLogContext({ taskId: 'task-1', tenantId: 'acme' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.log({ msg: 'inside', step: 'planning' });
    });
    logger.log('after');
    const [before, inside, after] = lines(write);
    expect(before).not.toHaveProperty('taskId');
    expect(inside).toMatchObject({ msg: 'inside', step: 'planning', taskId: 'task-1', tenantId: 'acme' });
    expect(inside).not.toHaveProperty('trace_id');
    expect(after).not.toHaveProperty('taskId');
  });

  it('adds trace_id and span_id of the active OpenTelemetry span when a tracer is registered', () => {
    const write = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    const provider = new NodeTracerProvider();
    // Registers the provider and Node's async-local-storage context manager, as the tracing SDK does.
    provider.register();
    const tracer = provider.getTracer('test');
    const logger = new JsonLogger('gateway');
    const span = tracer.startSpan('handle');
    withLogContext({ taskId: 'task-2', tenantId: 'globex' }, () =>
      context.with(trace.setSpan(context.active(), span), () => logger.log('in a span')),
    );
    span.end();
    const [line] = lines(write);
    expect(line).toMatchObject({
      taskId: 'task-2',
      tenantId: 'globex',
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

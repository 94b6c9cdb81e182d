import { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { TOPICS } from '@tributary/contracts';
import { SpanStatusCode } from '@tributary/tracing';
import { delivery, sampleValue } from '@tributary/testing/agents/deliveries';
import { MemoryCancellationStore } from '@tributary/testing/agents/memory-cancellation-store';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { Deferred } from '@tributary/testing/wait';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentStep, type StepContext } from './agent-step';
import { CancellationRegistry } from './cancellation';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  Logger.overrideLogger(false);
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});
beforeEach(() => exporter.reset());

function frame() {
  const recorder = new RecordingProducer();
  const cancellations = new CancellationRegistry(new MemoryCancellationStore());
  const step = new AgentStep(recorder.producer, cancellations, 3, { deadlineGraceMs: 30_000 });
  return { cancellations, step };
}

const planned = (deadlineAt: number | null = null) => {
  const value = sampleValue(TOPICS.taskPlanned, { taskId: 'tsk-1', tenantId: 'acme' });
  return delivery(TOPICS.taskPlanned, { ...value, request: { ...value.request, deadlineAt } });
};

function untilAborted(started: Deferred<StepContext>) {
  return (context: StepContext): Promise<void> => {
    started.resolve(context);
    return new Promise((_, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
    });
  };
}

function stageSpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'stage researching');
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

describe('AgentStep: its stage span says how the step left the task', () => {
  it('completed', async () => {
    const { step } = frame();
    await step.run(planned(), 'researching', () => Promise.resolve());
    expect(stageSpan().attributes).toMatchObject({
      'tributary.stage': 'researching',
      'tributary.task.id': 'tsk-1',
      'tributary.tenant.id': 'acme',
      'tributary.stage.outcome': 'completed',
    });
    expect(stageSpan().status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('cancelled mid-step, and skipped when cancelled before: both marked as a cancelled task, not as errors', async () => {
    const { cancellations, step } = frame();
    const started = new Deferred<StepContext>();
    const run = step.run(planned(), 'researching', untilAborted(started));
    await started.promise;
    await cancellations.cancel('acme', 'tsk-1', null);
    await run;
    expect(stageSpan().attributes).toMatchObject({
      'tributary.stage.outcome': 'cancelled',
      'tributary.task.cancelled': true,
    });
    expect(stageSpan().status.code).not.toBe(SpanStatusCode.ERROR);

    exporter.reset();
    await step.run(planned(), 'researching', () => Promise.resolve());
    expect(stageSpan().attributes).toMatchObject({
      'tributary.stage.outcome': 'skipped-cancelled',
      'tributary.task.cancelled': true,
    });
  });

  it('failed with deadline-exceeded when the deadline passes mid-step: an error span naming the code', async () => {
    const { step } = frame();
    await step.run(planned(Date.now() + 30), 'researching', untilAborted(new Deferred<StepContext>()));
    expect(stageSpan().attributes).toMatchObject({
      'tributary.stage.outcome': 'failed',
      'tributary.task.failure_code': 'deadline-exceeded',
      'error.type': 'DeadlineExceededError',
    });
    expect(stageSpan().status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'deadline-exceeded' });
  });
});

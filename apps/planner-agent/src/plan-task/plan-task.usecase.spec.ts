import { Logger } from '@nestjs/common';
import { AgentStep, CancellationRegistry, ProfileCache } from '@tributary/agent';
import { type ProfileStore } from '@tributary/catalogue';
import { TOPICS } from '@tributary/contracts';
import { type CallRecorder, RecordedLlm } from '@tributary/llm';
import { delivery, sampleValue } from '@tributary/testing/agents/deliveries';
import { MemoryCancellationStore } from '@tributary/testing/agents/memory-cancellation-store';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { standIn } from '@tributary/testing/agents/stand-in';
import { makeProfile } from '@tributary/testing/catalogue/fixtures';
import { plan } from '@tributary/testing/llm/fixtures';
import { MemoryCallRecorder } from '@tributary/testing/llm/memory-call-recorder';
import { ScriptedLlm } from '@tributary/testing/llm/scripted-llm';
import { Deferred } from '@tributary/testing/wait';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlanTaskUseCase } from './plan-task.usecase';

const requested = sampleValue(TOPICS.taskRequested, { taskId: 'tsk-1', tenantId: 'acme' });

/** A planner over a journal whose writes wait until `open()`. */
function planner(journal = new MemoryCallRecorder()) {
  const recorder = new RecordingProducer();
  const llm = new ScriptedLlm({ plan: [plan()] });
  const gate = new Deferred();
  const gated: CallRecorder = {
    get: (key) => journal.get(key),
    peek: (key) => journal.peek(key),
    put: async (key, value) => {
      await gate.promise;
      await journal.put(key, value);
    },
  };
  const useCase = new PlanTaskUseCase(
    new AgentStep(recorder.producer, new CancellationRegistry(new MemoryCancellationStore()), 4, {
      deadlineGraceMs: 30_000,
    }),
    new ProfileCache(
      standIn<ProfileStore>({ get: (_tenant, userId) => Promise.resolve(makeProfile({ userId })) }),
    ),
    new RecordedLlm(llm, gated),
    recorder.producer,
  );
  return { recorder, llm, journal, useCase, open: () => gate.resolve() };
}

const drainMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('PlanTaskUseCase', () => {
  it('plans a first delivery without reading the journal, and publishes the plan only once it is recorded', async () => {
    const { recorder, llm, journal, useCase, open } = planner();

    const run = useCase.execute(delivery(TOPICS.taskRequested, requested));
    await drainMicrotasks();
    expect(llm.inputs.plan).toHaveLength(1);
    expect(recorder.values(TOPICS.taskPlanned)).toEqual([]);
    open();
    await run;

    expect(recorder.values(TOPICS.taskPlanned)).toMatchObject([{ taskId: 'tsk-1', plan: plan() }]);
    expect(journal.counts).toEqual({ gets: 0, puts: 1 });
  });

  it('replays the recorded plan for a redelivered request after a restart, without calling the LLM', async () => {
    const first = planner();
    first.open();
    await first.useCase.execute(delivery(TOPICS.taskRequested, requested));
    const again = planner(first.journal.restarted());
    again.open();

    await again.useCase.execute(delivery(TOPICS.taskRequested, requested, { firstDelivery: false }));

    expect(again.llm.inputs.plan).toEqual([]);
    expect(again.recorder.values(TOPICS.taskPlanned)).toEqual(first.recorder.values(TOPICS.taskPlanned));
    expect(again.journal.counts.gets).toBe(1);
  });
});

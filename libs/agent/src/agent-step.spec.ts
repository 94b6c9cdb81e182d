import { Logger } from '@nestjs/common';
import { FAILURE_HEADERS, TOPICS } from '@tributary/contracts';
import { PermanentError, UnavailableError } from '@tributary/platform';
import { MongoNetworkError } from 'mongodb';
import { delivery, sampleValue } from '@tributary/testing/agents/deliveries';
import { MemoryCancellationStore } from '@tributary/testing/agents/memory-cancellation-store';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { Deferred } from '@tributary/testing/wait';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AgentStep, type StepContext } from './agent-step';
import { CancellationRegistry, TaskCancelledError } from './cancellation';
import { unknownUser } from './task-failure';

const MAX_ATTEMPTS = 3;
const GRACE_MS = 30_000;
const planned = (options: Parameters<typeof delivery>[2] = {}, deadlineAt: number | null = null) => {
  const value = sampleValue(TOPICS.taskPlanned, { taskId: 'tsk-1', tenantId: 'acme' });
  return delivery(TOPICS.taskPlanned, { ...value, request: { ...value.request, deadlineAt } }, options);
};

function frame() {
  const recorder = new RecordingProducer();
  const store = new MemoryCancellationStore();
  const cancellations = new CancellationRegistry(store);
  const step = new AgentStep(recorder.producer, cancellations, MAX_ATTEMPTS, { deadlineGraceMs: GRACE_MS });
  return { recorder, store, cancellations, step };
}

/** Work that waits until the step's signal aborts, then throws its reason, as an aborted LLM call does. */
function workUntilAborted(started: Deferred<StepContext>) {
  return (context: StepContext): Promise<void> => {
    started.resolve(context);
    return new Promise((_, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
    });
  };
}

/** Lets everything already settled run its continuations (one turn of the event loop, no timer). */
const drainMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeAll(() => {
  // The frame logs every outcome; the assertions read the outcomes themselves.
  Logger.overrideLogger(false);
});

describe('AgentStep', () => {
  it('skips a task cancelled before the step: the work never runs and nothing is emitted', async () => {
    const { recorder, cancellations, step } = frame();
    await cancellations.cancel('acme', 'tsk-1', 'changed my mind');
    let ran = false;

    await step.run(planned(), 'researching', () => {
      ran = true;
      return Promise.resolve();
    });

    expect(ran).toBe(false);
    expect(recorder.emitted).toEqual([]);
  });

  it('checks a cancellation it has not seen in the store only off the happy path: on a retry, not on a first delivery', async () => {
    const { store, step } = frame();
    // Consumed by another instance of the group, which recorded it.
    await store.add('acme', 'tsk-1', null);
    const ran: number[] = [];
    const work = (attempt: number) => () => {
      ran.push(attempt);
      return Promise.resolve();
    };

    await step.run(planned(), 'researching', work(1));
    await step.run(planned({ attempt: 2 }), 'researching', work(2));

    expect(ran).toEqual([1]);
    expect(store.counts.has).toBe(1);
  });

  it('aborts the work when the task is cancelled mid-step, and ends without failing the task or retrying', async () => {
    const { recorder, cancellations, step } = frame();
    const started = new Deferred<StepContext>();

    const run = step.run(planned(), 'researching', workUntilAborted(started));
    const { signal } = await started.promise;
    await cancellations.cancel('acme', 'tsk-1', null);

    await expect(run).resolves.toBeUndefined();
    expect(signal.reason).toBeInstanceOf(TaskCancelledError);
    expect(recorder.topics()).not.toContain(TOPICS.taskFailed.name);
  });

  it('does not abort the work of another task that is cancelled', async () => {
    const { cancellations, step } = frame();
    const started = new Deferred<StepContext>();

    const run = step.run(planned(), 'researching', async (context) => {
      started.resolve(context);
      await cancellations.cancel('acme', 'tsk-2', null);
      await cancellations.cancel('other-tenant', 'tsk-1', null);
    });

    await expect(run).resolves.toBeUndefined();
    expect((await started.promise).signal.aborted).toBe(false);
  });

  it('lets go of the task when the step ends: a later cancel aborts nothing', async () => {
    const { cancellations, step } = frame();
    let signal: AbortSignal | undefined;

    await step.run(planned(), 'researching', (context) => {
      signal = context.signal;
      return Promise.resolve();
    });
    await cancellations.cancel('acme', 'tsk-1', null);

    expect(signal?.aborted).toBe(false);
  });

  it('rethrows without failing the task when the consumer lost the partition, even on the last attempt (another consumer redoes the work)', async () => {
    const { recorder, step } = frame();
    const lost = new AbortController();
    const started = new Deferred<StepContext>();

    const run = step.run(
      planned({ attempt: MAX_ATTEMPTS, signal: lost.signal }),
      'researching',
      workUntilAborted(started),
    );
    await started.promise;
    lost.abort(new Error('partition revoked'));

    await expect(run).rejects.toThrow('partition revoked');
    expect(recorder.emitted).toEqual([]);
  });

  it('rethrows a retriable failure while attempts remain, so the runtime retries it; the task does not fail', async () => {
    const { recorder, step } = frame();

    const run = step.run(planned({ attempt: MAX_ATTEMPTS - 1 }), 'researching', () =>
      Promise.reject(new Error('store unreachable')),
    );

    await expect(run).rejects.toThrow('store unreachable');
    expect(recorder.emitted).toEqual([]);
  });

  it('fails the task on the last attempt of a retriable failure, and rethrows it for the dead-letter topic', async () => {
    const { recorder, step } = frame();
    const cause = planned({ attempt: MAX_ATTEMPTS });

    const run = step.run(cause, 'researching', () => Promise.reject(new Error('store unreachable')));

    await expect(run).rejects.toThrow('store unreachable');
    expect(recorder.values(TOPICS.taskFailed)).toEqual([
      {
        taskId: 'tsk-1',
        tenantId: 'acme',
        stage: 'researching',
        code: 'retries-exhausted',
        reason: `Research kept failing after ${MAX_ATTEMPTS} attempts (a service it needs is unavailable); submit the task again later.`,
        failedAt: expect.any(Number) as number,
      },
    ]);
    expect(recorder.emitted[0]?.options.causedBy).toBe(cause.envelope);
  });

  it('ends the task when the cancellation check itself fails: retried like the work, then task.failed on the last attempt', async () => {
    const { recorder, store, step } = frame();
    // A retry asks the store, which is down.
    store.has = () => Promise.reject(new Error('connection refused to 10.0.0.7:27017'));
    let ran = false;
    const work = () => {
      ran = true;
      return Promise.resolve();
    };

    await expect(step.run(planned({ attempt: 2 }), 'researching', work)).rejects.toThrow(
      'connection refused',
    );
    expect(recorder.emitted).toEqual([]);
    await expect(step.run(planned({ attempt: MAX_ATTEMPTS }), 'researching', work)).rejects.toThrow(
      'connection refused',
    );

    expect(ran).toBe(false);
    const [failed] = recorder.values(TOPICS.taskFailed);
    expect(failed).toMatchObject({ taskId: 'tsk-1', stage: 'researching', code: 'retries-exhausted' });
    expect(failed?.reason).not.toContain('10.0.0.7');
  });

  it('does not fail the task for a dependency that is unavailable, even past the last attempt: it rethrows, and the runtime waits in place', async () => {
    const { recorder, step } = frame();

    for (const error of [
      new MongoNetworkError('connection 4 timed out'),
      new UnavailableError('registry down'),
    ]) {
      const run = step.run(planned({ attempt: MAX_ATTEMPTS + 2 }), 'researching', () =>
        Promise.reject(error),
      );
      await expect(run).rejects.toBe(error);
    }
    expect(recorder.emitted).toEqual([]);
  });

  it('fails the task at once on a non-retriable failure, and does not rethrow it (no retry, no dead letter)', async () => {
    const { recorder, step } = frame();

    await step.run(planned(), 'reviewing', () => Promise.reject(unknownUser('u-1')));

    expect(recorder.values(TOPICS.taskFailed)).toMatchObject([
      {
        taskId: 'tsk-1',
        stage: 'reviewing',
        code: 'unknown-user',
        reason: 'The user u-1 has no profile.',
      },
    ]);
  });

  it('tells the client a code and a sentence of its own, never the text of an unexpected error', async () => {
    const { recorder, step } = frame();

    await step.run(planned(), 'planning', () =>
      Promise.reject(
        new PermanentError('TypeError: cannot read properties of undefined at /srv/app.cjs:1:2'),
      ),
    );

    expect(recorder.values(TOPICS.taskFailed)).toMatchObject([
      { stage: 'planning', code: 'internal-error', reason: 'Planning failed because of an internal error.' },
    ]);
  });

  it('has published every progress event of the step, in order, by the time it returns', async () => {
    const { recorder, step } = frame();

    await step.run(planned(), 'researching', async ({ progress }) => {
      await progress.report('Searching the catalogue');
      progress.token('{"summary":');
      progress.token(' "Two picks"');
      await progress.report('Drafted 2 recommendations');
    });

    expect(recorder.values(TOPICS.taskProgress)).toMatchObject([
      { stage: 'researching', message: 'Searching the catalogue', tokenDelta: null },
      { stage: 'researching', message: 'tokens', tokenDelta: '{"summary": "Two picks"' },
      { stage: 'researching', message: 'Drafted 2 recommendations', tokenDelta: null },
    ]);
  });

  it('fails the step when its progress cannot be published, so it is retried rather than finished with progress lost', async () => {
    const { recorder, step } = frame();
    recorder.failWith(new Error('broker down'));

    const run = step.run(planned(), 'researching', async ({ progress }) => {
      await progress.report('Searching the catalogue');
    });

    await expect(run).rejects.toThrow('broker down');
  });

  it('tells the work whether the journal needs reading: not on a first delivery, on a retry or a redriven dead letter', async () => {
    const { step } = frame();
    const seen: boolean[] = [];
    const work = ({ journal }: StepContext): Promise<void> => {
      seen.push(journal.firstDelivery);
      return Promise.resolve();
    };

    await step.run(planned(), 'researching', work);
    await step.run(planned({ attempt: 2 }), 'researching', work);
    await step.run(planned({ firstDelivery: false }), 'researching', work);
    await step.run(
      planned({
        headers: { [FAILURE_HEADERS.redrivenFrom]: 'tributary.internal.research-agent.dlt.v1/0/7' },
      }),
      'researching',
      work,
    );

    expect(seen).toEqual([true, false, false, false]);
  });

  it('returns only once the journal writes handed to it are written, even when the work did not wait', async () => {
    const { step } = frame();
    const written = new Deferred();
    let returned = false;

    const run = step
      .run(planned(), 'researching', ({ journal }) => {
        journal.pending(written.promise);
        return Promise.resolve();
      })
      .then(() => (returned = true));
    await drainMicrotasks();
    expect(returned).toBe(false);
    written.resolve();

    await run;
    expect(returned).toBe(true);
  });

  it('settle() waits for the journal writes as well as the progress: what the work awaits before emitting its result', async () => {
    const { recorder, step } = frame();
    const written = new Deferred();
    let settled = false;

    const run = step.run(planned(), 'researching', async ({ journal, progress, settle }) => {
      journal.pending(written.promise);
      await progress.report('Drafted 2 recommendations');
      await settle();
      settled = true;
    });
    await drainMicrotasks();
    expect(recorder.values(TOPICS.taskProgress)).toHaveLength(1);
    expect(settled).toBe(false);
    written.resolve();

    await run;
    expect(settled).toBe(true);
  });

  it('fails the step when a journal write fails, so it is retried rather than finished unrecorded', async () => {
    const { recorder, step } = frame();

    const run = step.run(planned(), 'researching', async ({ journal, settle }) => {
      journal.pending(Promise.reject(new Error('store unreachable')));
      await settle();
      await recorder.producer.emit(TOPICS.taskProgress, sampleValue(TOPICS.taskProgress));
    });

    await expect(run).rejects.toThrow('store unreachable');
    expect(recorder.emitted).toEqual([]);
  });

  describe('deadlines', () => {
    it('aborts the work when the deadline passes mid-step and fails the task with deadline-exceeded, without retry or dead letter', async () => {
      const { recorder, step } = frame();
      const started = new Deferred<StepContext>();
      const deadlineAt = Date.now() + 50;

      // An aborted call rejects with an error of its own (LlmAbortedError, say): the deadline names the failure.
      const run = step.run(planned({}, deadlineAt), 'researching', workUntilAborted(started));
      const { signal } = await started.promise;

      await expect(run).resolves.toBeUndefined();
      expect(signal.aborted).toBe(true);
      expect(recorder.values(TOPICS.taskFailed)).toEqual([
        {
          taskId: 'tsk-1',
          tenantId: 'acme',
          stage: 'researching',
          code: 'deadline-exceeded',
          reason: `The task did not finish before its deadline (${new Date(deadlineAt).toISOString()}).`,
          failedAt: expect.any(Number) as number,
        },
      ]);
    });

    it('fails at once a task that reaches a step past its deadline, even on a retry with attempts left', async () => {
      const { recorder, step } = frame();
      let ran = false;

      await step.run(planned({ attempt: 2 }, Date.now() - 1_000), 'reviewing', () => {
        ran = true;
        return Promise.resolve();
      });

      expect(ran).toBe(false);
      expect(recorder.values(TOPICS.taskFailed)).toMatchObject([
        { stage: 'reviewing', code: 'deadline-exceeded' },
      ]);
    });

    it('leaves a task past its deadline and its grace to the gateway, which ends it: nothing runs, nothing is emitted', async () => {
      const { recorder, step } = frame();
      let ran = false;

      await step.run(planned({}, Date.now() - GRACE_MS - 1_000), 'planning', () => {
        ran = true;
        return Promise.resolve();
      });

      expect(ran).toBe(false);
      expect(recorder.emitted).toEqual([]);
    });

    it('ends a step that completes as its deadline fires once: its result, and no task.failed after it', async () => {
      const { recorder, step } = frame();

      await step.run(planned({}, Date.now() + 30), 'reviewing', async ({ signal }) => {
        await recorder.producer.emit(TOPICS.recommendationReady, sampleValue(TOPICS.recommendationReady));
        // The deadline fires after the result went out; the work still returns normally.
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      });

      expect(recorder.topics()).toEqual([TOPICS.recommendationReady.name]);
    });

    it('lets go of its timer when the step ends in time: no abort afterwards', async () => {
      vi.useFakeTimers();
      try {
        const { recorder, step } = frame();
        let signal: AbortSignal | undefined;

        await step.run(planned({}, Date.now() + 40), 'researching', (context) => {
          signal = context.signal;
          return Promise.resolve();
        });
        expect(vi.getTimerCount()).toBe(0);
        await vi.advanceTimersByTimeAsync(1_000);

        expect(signal?.aborted).toBe(false);
        expect(recorder.emitted).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});

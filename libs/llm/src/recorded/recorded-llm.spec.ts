import { type Draft, type Plan } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import { OfflineLlm } from '../offline/offline-llm';
import {
  type CallOptions,
  type DraftInput,
  type LlmPort,
  type PlanInput,
  type ReviewJudgement,
} from '../port';
import { candidates, plan, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { MemoryCallRecorder, MemoryJournalScope } from '@tributary/testing/llm/memory-call-recorder';
import { Deferred } from '@tributary/testing/wait';
import { type CallRecorder } from './call-recorder';
import { callKey, RecordedLlm } from './recorded-llm';
import { stableJson } from '@tributary/platform';

/** Counts the calls that reach the real port. */
class CountingLlm implements LlmPort {
  readonly provider = 'counting';
  readonly calls: string[] = [];
  private readonly offline = new OfflineLlm();

  plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
    this.calls.push('plan');
    return this.offline.plan(input, opts);
  }
  draft(input: DraftInput, opts: CallOptions): Promise<Draft> {
    this.calls.push('draft');
    return this.offline.draft(input, opts);
  }
  review(): Promise<ReviewJudgement> {
    this.calls.push('review');
    return Promise.resolve({ verdict: 'approved', critique: 'fine', issues: [], score: 1 });
  }
}

const planInput = (): PlanInput => ({ request: taskRequest(), profile: profile() });
const draftInput = (): DraftInput => ({
  request: taskRequest(),
  plan: plan(),
  candidates: candidates(),
  profile: profile(),
  critique: null,
  round: 1,
});

describe('RecordedLlm', () => {
  it('serves a second identical call from the recorder instead of calling the port again', async () => {
    const inner = new CountingLlm();
    const recorded = new RecordedLlm(inner, new MemoryCallRecorder());

    const first = await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-1' });
    const second = await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-1' });

    expect(second).toEqual(first);
    expect(inner.calls).toEqual(['plan']);
    expect(recorded.stats()).toEqual({ made: 1, replayed: 1, recordFailures: 0 });
    expect(recorded.provider).toBe('counting');
  });

  it('lets a redelivered task resume: a new instance over the same journal makes no calls', async () => {
    const journal = new MemoryCallRecorder();
    await new RecordedLlm(new CountingLlm(), journal).draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-2',
    });
    const inner = new CountingLlm();
    const afterRestart = new RecordedLlm(inner, journal);

    const draft = await afterRestart.draft(draftInput(), { tenantId: 'acme', taskId: 't-2' });

    expect(draft.recommendations.length).toBeGreaterThan(0);
    expect(inner.calls).toEqual([]);
    expect(afterRestart.stats()).toMatchObject({ made: 0, replayed: 1 });
  });

  it('calls again when an input differs, and keeps methods apart', async () => {
    const inner = new CountingLlm();
    const recorded = new RecordedLlm(inner, new MemoryCallRecorder());

    await recorded.draft(draftInput(), { tenantId: 'acme', taskId: 't-3' });
    await recorded.draft(
      { ...draftInput(), critique: 'more variety', round: 2 },
      { tenantId: 'acme', taskId: 't-3' },
    );
    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-3' });

    expect(inner.calls).toEqual(['draft', 'draft', 'plan']);
    expect(recorded.stats().replayed).toBe(0);
  });

  it('shares one call between identical calls in flight at the same time', async () => {
    const inner = new CountingLlm();
    const recorded = new RecordedLlm(inner, new MemoryCallRecorder());

    const [a, b] = await Promise.all([
      recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-4' }),
      recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-4' }),
    ]);

    expect(a).toEqual(b);
    expect(inner.calls).toEqual(['plan']);
  });

  it('returns the result even when the journal cannot record it, and counts the failure', async () => {
    const failingPut: CallRecorder = {
      get: () => Promise.resolve(undefined),
      peek: () => undefined,
      put: () => Promise.reject(new Error('mongo down')),
    };
    const recorded = new RecordedLlm(new CountingLlm(), failingPut);

    const result = await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-5' });

    expect(result.steps.length).toBeGreaterThan(0);
    expect(recorded.stats()).toEqual({ made: 1, replayed: 0, recordFailures: 1 });
  });

  it('fails without calling the port when the journal cannot be read', async () => {
    const inner = new CountingLlm();
    const failingGet: CallRecorder = {
      get: () => Promise.reject(new Error('mongo down')),
      peek: () => undefined,
      put: () => Promise.resolve(),
    };
    const recorded = new RecordedLlm(inner, failingGet);

    await expect(recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-6' })).rejects.toThrow(
      'mongo down',
    );
    expect(inner.calls).toEqual([]);
  });
});

/** A journal whose writes wait for `open` to resolve, so a spec can see who waits for them. */
function gatedJournal() {
  const journal = new MemoryCallRecorder();
  const gate = new Deferred();
  const recorder: CallRecorder = {
    get: (key) => journal.get(key),
    peek: (key) => journal.peek(key),
    put: async (key, value) => {
      await gate.promise;
      await journal.put(key, value);
    },
  };
  return { journal, recorder, open: () => gate.resolve() };
}

describe('RecordedLlm on a delivery (with a journal scope)', () => {
  it('on a first delivery, calls without reading the journal and returns before the record is written', async () => {
    const { journal, recorder, open } = gatedJournal();
    const inner = new CountingLlm();
    const scope = new MemoryJournalScope(true);

    const result = await new RecordedLlm(inner, recorder).plan(planInput(), {
      tenantId: 'acme',
      taskId: 't-7',
      journal: scope,
    });

    expect(result.steps.length).toBeGreaterThan(0);
    expect(inner.calls).toEqual(['plan']);
    expect(journal.counts).toEqual({ gets: 0, puts: 0 });
    expect(scope.writes).toHaveLength(1);
    open();
    await Promise.all(scope.writes);
    expect(journal.counts.puts).toBe(1);
    // Recorded for a crash later: a restarted process finds the call in the journal.
    const afterRestart = new RecordedLlm(new CountingLlm(), journal.restarted());
    await afterRestart.plan(planInput(), {
      tenantId: 'acme',
      taskId: 't-7',
      journal: new MemoryJournalScope(false),
    });
    expect(afterRestart.stats()).toMatchObject({ made: 0, replayed: 1 });
  });

  it('on a first delivery, answers a call this process made lately from memory, without reading the journal', async () => {
    const journal = new MemoryCallRecorder();
    const inner = new CountingLlm();
    const recorded = new RecordedLlm(inner, journal);
    const first = await recorded.draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-8',
      journal: new MemoryJournalScope(true),
    });

    const again = await recorded.draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-9',
      journal: new MemoryJournalScope(true),
    });

    expect(again).toEqual(first);
    expect(inner.calls).toEqual(['draft']);
    expect(journal.counts.gets).toBe(0);
  });

  it('on a redelivery, reads the journal: what an earlier attempt recorded is not asked again', async () => {
    const journal = new MemoryCallRecorder();
    await new RecordedLlm(new CountingLlm(), journal).draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-10',
    });
    const inner = new CountingLlm();
    const restarted = journal.restarted();

    await new RecordedLlm(inner, restarted).draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-10',
      journal: new MemoryJournalScope(false),
    });

    expect(inner.calls).toEqual([]);
    expect(restarted.counts.gets).toBe(1);
  });

  it('hands the record being written to every caller served the same result', async () => {
    const { recorder, open } = gatedJournal();
    const recorded = new RecordedLlm(new CountingLlm(), recorder);
    const scopes = [new MemoryJournalScope(true), new MemoryJournalScope(true)];

    await Promise.all(
      scopes.map((journal) => recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-11', journal })),
    );

    expect(scopes.map((scope) => scope.writes.length)).toEqual([1, 1]);
    expect(scopes[0]!.writes[0]).toBe(scopes[1]!.writes[0]);
    open();
  });

  it('lets no caller fail when the record cannot be written, and counts the failure', async () => {
    const failingPut: CallRecorder = {
      get: () => Promise.resolve(undefined),
      peek: () => undefined,
      put: () => Promise.reject(new Error('mongo down')),
    };
    const recorded = new RecordedLlm(new CountingLlm(), failingPut);
    const scope = new MemoryJournalScope(true);

    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-12', journal: scope });

    await expect(Promise.all(scope.writes)).resolves.toBeDefined();
    expect(recorded.stats().recordFailures).toBe(1);
  });
});

describe('RecordedLlm and the step that asked', () => {
  it('tells the journal scope how each call was answered (called, from the journal, shared) and records who made it', async () => {
    const inner = new CountingLlm();
    const recorder = new MemoryCallRecorder();
    const recorded = new RecordedLlm(inner, recorder);
    const first = new MemoryJournalScope(false);
    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-1', journal: first });
    const key = callKey('plan', 'counting', 'acme', planInput());
    expect(first.calls).toEqual([{ key, method: 'plan', via: 'called', ms: expect.any(Number) as number }]);
    await Promise.all(first.writes);
    expect(recorder.metas.get(key)).toEqual({
      taskId: 't-1',
      method: 'plan',
      durationMs: expect.any(Number) as number,
    });

    // A redelivery of the same step is answered from the journal; nothing is recorded again.
    const again = new MemoryJournalScope(false);
    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-1', journal: again });
    expect(again.calls).toEqual([{ key, method: 'plan', via: 'journal' }]);
    expect(recorder.counts.puts).toBe(1);

    // Two identical drafts at once: one call, the second shares it.
    const a = new MemoryJournalScope(true);
    const b = new MemoryJournalScope(true);
    await Promise.all([
      recorded.draft(draftInput(), { tenantId: 'acme', taskId: 't-2', journal: a }),
      recorded.draft(draftInput(), { tenantId: 'acme', taskId: 't-3', journal: b }),
    ]);
    expect([a.calls[0]?.via, b.calls[0]?.via]).toEqual(['called', 'shared']);
    expect(inner.calls).toEqual(['plan', 'draft']);
  });
});

describe('RecordedLlm and the tokens a call used', () => {
  /** Reports usage as the OpenAI adapter does: once per call, all its requests summed. */
  class CountedLlm extends CountingLlm {
    override plan(input: PlanInput, opts: CallOptions): Promise<Plan> {
      const result = super.plan(input, opts);
      opts.onUsage?.({ inputTokens: 1_200, outputTokens: 340 });
      return result;
    }
  }

  it('writes the tokens of a call made into its record and passes them on; a journal answer reports none', async () => {
    const recorder = new MemoryCallRecorder();
    const recorded = new RecordedLlm(new CountedLlm(), recorder);
    const told: unknown[] = [];
    const opts = { tenantId: 'acme', taskId: 't-1', onUsage: (usage: unknown) => told.push(usage) };

    await recorded.plan(planInput(), opts);
    await recorded.plan(planInput(), opts);

    expect(recorder.metas.get(callKey('plan', 'counting', 'acme', planInput()))).toEqual({
      taskId: 't-1',
      method: 'plan',
      durationMs: expect.any(Number) as number,
      inputTokens: 1_200,
      outputTokens: 340,
    });
    expect(told).toEqual([{ inputTokens: 1_200, outputTokens: 340 }]);
    expect(recorder.counts.puts).toBe(1);
  });

  it('records no token fields for a port that counts none (the offline recommender)', async () => {
    const recorder = new MemoryCallRecorder();
    await new RecordedLlm(new CountingLlm(), recorder).draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-2',
    });
    const meta = recorder.metas.get(callKey('draft', 'counting', 'acme', draftInput()));
    expect(meta).toMatchObject({ taskId: 't-2', method: 'draft' });
    expect(meta).not.toHaveProperty('inputTokens');
    expect(meta).not.toHaveProperty('outputTokens');
  });
});

describe('callKey', () => {
  it('depends on method, provider, tenant and inputs, not on key order or the task id', () => {
    const input = { request: taskRequest(), profile: profile() };
    const reordered = { profile: profile(), request: taskRequest() };

    expect(callKey('plan', 'offline', 'acme', input)).toBe(callKey('plan', 'offline', 'acme', reordered));
    expect(callKey('plan', 'offline', 'acme', input)).toMatch(/^[0-9a-f]{64}$/);
    expect(callKey('plan', 'openai:m@h', 'acme', input)).not.toBe(callKey('plan', 'offline', 'acme', input));
    expect(callKey('draft', 'offline', 'acme', input)).not.toBe(callKey('plan', 'offline', 'acme', input));
    expect(callKey('plan', 'offline', 'globex', input)).not.toBe(callKey('plan', 'offline', 'acme', input));
  });

  it("never answers one tenant's call from another tenant's record", async () => {
    const counting = new CountingLlm();
    const recorded = new RecordedLlm(counting, new MemoryCallRecorder());
    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-a' });
    await recorded.plan(planInput(), { tenantId: 'globex', taskId: 't-b' });
    await recorded.plan(planInput(), { tenantId: 'acme', taskId: 't-c' });

    expect(counting.calls).toEqual(['plan', 'plan']);
    expect(recorded.stats()).toMatchObject({ made: 2, replayed: 1 });
  });

  it('stableJson sorts keys at every level and leaves out undefined properties', () => {
    expect(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

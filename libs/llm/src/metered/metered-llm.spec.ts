import { LlmInstruments, OTHER, scrapeMetrics, tenantLabel } from '@tributary/metrics';
import { MemoryCallRecorder } from '@tributary/testing/llm/memory-call-recorder';
import { plan, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { ScriptedLlm } from '@tributary/testing/llm/scripted-llm';
import { Scrape } from '@tributary/testing/metrics';
import { describe, expect, it } from 'vitest';
import { LlmRateLimitError } from '../errors';
import { type CallOptions, type LlmPort } from '../port';
import { RecordedLlm } from '../recorded/recorded-llm';
import { MeteredLlm } from './metered-llm';

const input = { request: taskRequest(), profile: profile() };
const opts = (tenantId: string): CallOptions => ({ tenantId, taskId: `task-of-${tenantId}` });

/** A port whose plan() fails with a rate limit: what a model endpoint answering 429 gives. */
const limited: LlmPort = {
  provider: 'openai:m@host',
  plan: () =>
    Promise.reject(
      new LlmRateLimitError('slow down', { provider: 'p', operation: 'plan', taskId: 't' }, undefined),
    ),
  draft: () => Promise.reject(new Error('unused')),
  review: () => Promise.reject(new Error('unused')),
};

describe('LLM metrics', () => {
  it('times the calls that reach the model and counts journal hits apart, by agent, model, operation and tenant', async () => {
    const instruments = new LlmInstruments({ agent: 'planner-agent', model: 'offline' });
    const llm = new RecordedLlm(
      new MeteredLlm(new ScriptedLlm({ plan: [plan()] }), instruments),
      new MemoryCallRecorder(),
      undefined,
      (method, tenantId) => instruments.journalHit(method, tenantId),
    );
    await llm.plan(input, opts('acme'));
    // The same question again: answered from the journal, not asked of the model.
    await llm.plan(input, opts('acme'));
    const s = Scrape.parse(await scrapeMetrics());
    const labels = { agent: 'planner-agent', model: 'offline', operation: 'plan', tenant: 'acme' };
    expect(s.count('tributary_llm_request_duration_seconds', { ...labels, result: 'success' })).toBe(1);
    expect(s.value('tributary_llm_journal_hits_total', labels)).toBe(1);
    expect(s.labelValues()).not.toContain('task-of-acme');
  });

  it('counts failed calls by error class, and a flood of tenants under _other', async () => {
    const instruments = new LlmInstruments({ agent: 'research-agent', model: 'm' });
    const llm = new MeteredLlm(limited, instruments);
    tenantLabel.setMax(3);
    for (let i = 0; i < 50; i += 1)
      await expect(llm.plan(input, opts(`flood-${i}`))).rejects.toThrow('slow down');
    instruments.usage('draft', 'flood-0', 120, 30);
    const s = Scrape.parse(await scrapeMetrics());
    const errors = s.samples('tributary_llm_errors_total', { agent: 'research-agent' });
    const tenants = new Set(errors.map((sample) => sample.labels?.tenant));
    expect(tenants.size).toBeLessThanOrEqual(4);
    expect(tenants).toContain(OTHER);
    expect(
      s.value('tributary_llm_errors_total', { agent: 'research-agent', error: 'LlmRateLimitError' }),
    ).toBe(50);
    expect(
      s.count('tributary_llm_request_duration_seconds', { agent: 'research-agent', result: 'error' }),
    ).toBe(50);
    expect(s.value('tributary_llm_tokens_total', { agent: 'research-agent', type: 'input' })).toBe(120);
    expect(s.value('tributary_llm_tokens_total', { agent: 'research-agent', type: 'output' })).toBe(30);
  });
});

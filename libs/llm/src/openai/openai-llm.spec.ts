import { afterEach, describe, expect, it } from 'vitest';
import {
  LlmAbortedError,
  LlmOutputError,
  LlmRateLimitError,
  LlmRequestError,
  LlmServerError,
  LlmTimeoutError,
} from '../errors';
import { type ReviewCheck, type TokenUsage } from '../port';
import { FakeOpenAiServer, type FakeReply } from '@tributary/testing/llm/fake-openai-server';
import { candidates, llmConfig, plan, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { waitFor } from '@tributary/testing/wait';
import { type LlmUsage, OpenAiLlm, type OpenAiLlmOptions, retryAfter, type RetryEvent } from './openai-llm';

/** Waits for what the fake server saw: it answers in milliseconds, so a few seconds is plenty. */
const until = (check: () => boolean, description: string): Promise<boolean> =>
  waitFor(check, { timeoutMs: 5_000, intervalMs: 5, description });

const PLAN_JSON = JSON.stringify({
  summary: 'Mysteries first, then jazz.',
  steps: [
    {
      query: ' cosy  mystery novels ',
      categories: ['Books'],
      rationale: 'The request asks for cosy mysteries.',
    },
    { query: 'jazz vinyl', categories: ['music'], rationale: 'Ada listens to jazz.' },
  ],
});

const DRAFT_JSON = JSON.stringify({
  summary: 'Two cosy mysteries and a jazz record.',
  recommendations: [
    { itemId: 'bk-1', reason: 'A cosy village mystery, as asked.' },
    { itemId: 'mu-1', reason: 'Late-night jazz on vinyl for Ada.' },
    { itemId: 'bk-3', reason: 'Another cosy mystery, under budget.' },
  ],
});

let server: FakeOpenAiServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setUp(
  script: readonly FakeReply[],
  options: OpenAiLlmOptions = {},
  config: Parameters<typeof llmConfig>[1] = {},
) {
  server = await FakeOpenAiServer.start(script);
  const retries: RetryEvent[] = [];
  const llm = new OpenAiLlm(llmConfig(server.baseUrl, config), {
    backoff: { baseDelayMs: 1 },
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { server, llm, retries };
}

const draftInput = (overrides: Partial<Parameters<OpenAiLlm['draft']>[0]> = {}) => ({
  request: taskRequest(),
  plan: plan(),
  candidates: candidates(),
  profile: profile(),
  critique: null,
  round: 1,
  ...overrides,
});

describe('OpenAiLlm', () => {
  it('plans from a non-streaming JSON reply requested with a strict json_schema response format', async () => {
    const { server, llm } = await setUp([{ kind: 'completion', content: PLAN_JSON }]);

    const result = await llm.plan(
      { request: taskRequest({}, { categories: ['books'] }), profile: profile() },
      { tenantId: 'acme', taskId: 't-1' },
    );

    expect(llm.provider).toBe(`openai:test-model@${new URL(server.baseUrl).host}`);
    // A reply without intents (a server that does not enforce the schema) gets the offline split of
    // the request: only books are allowed, so "some jazz vinyl" names no category of its own.
    expect(result).toEqual({
      summary: 'Mysteries first, then jazz.',
      steps: [
        {
          id: 'step-1',
          query: 'cosy mystery novels',
          categories: ['books'],
          rationale: 'The request asks for cosy mysteries.',
          intent: 'intent-1',
        },
        // The request allows only books, so the model's "music" filter is replaced.
        {
          id: 'step-2',
          query: 'jazz vinyl',
          categories: ['books'],
          rationale: 'Ada listens to jazz.',
          intent: 'intent-1',
        },
      ],
      provider: llm.provider,
      intents: [
        {
          id: 'intent-1',
          text: 'Cosy mystery novels and some jazz vinyl for rainy weekends',
          categories: ['books'],
          tags: ['jazz', 'mystery', 'vinyl'],
        },
      ],
    });
    const [sent] = server.to('/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer test-key');
    expect(sent?.body.model).toBe('test-model');
    expect(sent?.body.stream).not.toBe(true);
    expect(sent?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'research_plan', strict: true },
    });
    expect(sent?.body.messages?.[1]?.content).toContain('Cosy mystery novels and some jazz vinyl');
  });

  it('asks the model for intents and the intent of each step, and keeps them in the plan', async () => {
    const reply = JSON.stringify({
      summary: 'Two things asked for.',
      intents: [
        { id: 'intent-1', text: 'Cosy mystery novels', categories: ['Books'], tags: ['mystery'] },
        { id: 'intent-2', text: 'some jazz vinyl', categories: ['music'], tags: ['jazz', 'vinyl'] },
      ],
      steps: [
        { query: 'cosy mystery', categories: ['books'], intent: 'intent-1', rationale: 'Mysteries.' },
        { query: 'jazz vinyl', categories: ['music'], intent: 'intent-2', rationale: 'Jazz.' },
        { query: 'noir', categories: ['books'], intent: '', rationale: 'Ada likes noir.' },
      ],
    });
    const { server, llm } = await setUp([{ kind: 'completion', content: reply }]);

    const result = await llm.plan(
      { request: taskRequest(), profile: profile() },
      { tenantId: 'acme', taskId: 't-1b' },
    );

    expect(result.intents).toEqual([
      { id: 'intent-1', text: 'Cosy mystery novels', categories: ['books'], tags: ['mystery'] },
      { id: 'intent-2', text: 'some jazz vinyl', categories: ['music'], tags: ['jazz', 'vinyl'] },
    ]);
    expect(result.steps.map((step) => [step.query, step.intent])).toEqual([
      ['cosy mystery', 'intent-1'],
      ['jazz vinyl', 'intent-2'],
      ['noir', null],
    ]);
    const [sent] = server.to('/chat/completions');
    const schema = sent?.body.response_format?.json_schema?.schema as {
      required: string[];
      properties: { steps: { items: { required: string[] } } };
    };
    expect(schema.required).toContain('intents');
    expect(schema.properties.steps.items.required).toContain('intent');
    expect(sent?.body.messages?.[0]?.content).toContain('split the request into intents');
  });

  it('falls back to the offline split when the model names no intents, and searches for an intent no step serves', async () => {
    const reply = JSON.stringify({
      summary: 'Mysteries.',
      intents: [],
      steps: [{ query: 'cosy mystery novels', categories: ['books'], intent: '', rationale: 'Mysteries.' }],
    });
    const { llm } = await setUp([{ kind: 'completion', content: reply }]);

    const result = await llm.plan(
      { request: taskRequest(), profile: profile() },
      { tenantId: 'acme', taskId: 't-1c' },
    );

    expect(result.intents).toEqual([
      { id: 'intent-1', text: 'Cosy mystery novels', categories: ['books'], tags: ['mystery'] },
      {
        id: 'intent-2',
        text: 'some jazz vinyl for rainy weekends',
        categories: ['music'],
        tags: ['jazz', 'vinyl'],
      },
    ]);
    expect(result.steps.map((step) => [step.query, step.categories, step.intent])).toEqual([
      ['cosy mystery novels', ['books'], 'intent-1'],
      ['jazz vinyl rainy weekends', ['music'], 'intent-2'],
    ]);
  });

  it('matches steps to the model’s intents by their words when the steps name none', async () => {
    const reply = JSON.stringify({
      summary: 'Two things.',
      intents: [
        { id: 'a', text: 'Cosy mystery novels', categories: ['books'], tags: [] },
        { id: 'a', text: 'some jazz vinyl', categories: ['music'], tags: [] },
      ],
      steps: [
        { query: 'vinyl jazz records', categories: ['music'], rationale: 'Jazz.' },
        { query: 'cosy mystery', categories: ['books'], rationale: 'Mysteries.' },
      ],
    });
    const { llm } = await setUp([{ kind: 'completion', content: reply }]);

    const result = await llm.plan(
      { request: taskRequest(), profile: profile() },
      { tenantId: 'acme', taskId: 't-1d' },
    );

    // A repeated id is renumbered, so every intent can be named.
    expect(result.intents.map((intent) => intent.id)).toEqual(['a', 'intent-2']);
    expect(result.steps.map((step) => step.intent)).toEqual(['intent-2', 'a']);
  });

  it('shows the drafter the intents of the plan and the intent each candidate was found for', async () => {
    const { server, llm } = await setUp([{ kind: 'completion', content: DRAFT_JSON }]);
    const withIntents = {
      ...plan(),
      steps: plan().steps.map((step, index) => ({ ...step, intent: `intent-${index + 1}` })),
      intents: [
        { id: 'intent-1', text: 'Cosy mystery novels', categories: ['books'], tags: ['mystery'] },
        { id: 'intent-2', text: 'some jazz vinyl', categories: ['music'], tags: ['jazz'] },
      ],
    };
    const found = candidates().map((candidate) => ({
      ...candidate,
      intent: candidate.category === 'music' ? 'intent-2' : 'intent-1',
    }));

    await llm.draft(draftInput({ plan: withIntents, candidates: found }), {
      tenantId: 'acme',
      taskId: 't-2b',
    });

    const prompt = server.to('/chat/completions')[0]?.body.messages?.[1]?.content ?? '';
    expect(prompt).toContain('- jazz vinyl [music] for intent-2: And for jazz.');
    expect(prompt).toContain('- intent-2: "some jazz vinyl" [music]');
    expect(prompt).toMatch(/^- mu-1 \| .* \| for: intent-2 \|/m);
  });

  it('streams a draft: tokens reach onToken in order and the recommendations are filled from the candidates', async () => {
    const { server, llm } = await setUp([{ kind: 'completion', content: DRAFT_JSON, chunkSize: 5 }]);
    const tokens: string[] = [];

    const draft = await llm.draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-2',
      onToken: (delta) => tokens.push(delta),
    });

    const [sent] = server.to('/chat/completions');
    expect(sent?.body.stream).toBe(true);
    expect(tokens).toEqual(sent?.sent);
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens.join('')).toBe(DRAFT_JSON);
    expect(draft.provider).toBe(llm.provider);
    expect(draft.recommendations.map((rec) => rec.itemId)).toEqual(['bk-1', 'mu-1', 'bk-3']);
    expect(draft.recommendations[1]).toMatchObject({
      title: 'Blue Rain (vinyl)',
      category: 'music',
      price: 32,
      currency: 'EUR',
      evidence: ['mu-1', 'jazz', 'vinyl'],
    });
    // Only eligible candidates are offered, as an enum: mu-2 is over Ada's budget of 60.
    const schema = JSON.stringify(sent?.body.response_format?.json_schema?.schema);
    expect(schema).toContain('"bk-1"');
    expect(schema).not.toContain('"mu-2"');
  });

  it('reports the tokens the server counted, for a plain reply and a streamed one (asked with include_usage)', async () => {
    const usage: LlmUsage[] = [];
    const { server, llm } = await setUp(
      [
        { kind: 'completion', content: PLAN_JSON },
        { kind: 'completion', content: DRAFT_JSON, chunkSize: 5 },
      ],
      { onUsage: (event) => usage.push(event) },
    );
    await llm.plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-u' });
    await llm.draft(draftInput(), { tenantId: 'acme', taskId: 't-u', onToken: () => undefined });
    const [, streamed] = server.to('/chat/completions');
    expect(streamed?.body.stream_options).toEqual({ include_usage: true });
    expect(usage).toEqual([
      { operation: 'plan', taskId: 't-u', tenantId: 'acme', inputTokens: 10, outputTokens: 10 },
      {
        operation: 'draft',
        taskId: 't-u',
        tenantId: 'acme',
        inputTokens: 10,
        outputTokens: Math.ceil(DRAFT_JSON.length / 5),
      },
    ]);
  });

  it('tells the caller once per call the tokens of all its requests (retry and repair round included)', async () => {
    const perRequest: LlmUsage[] = [];
    const { server, llm } = await setUp(
      [
        { kind: 'error', status: 503 },
        { kind: 'completion', content: 'not JSON at all' },
        { kind: 'completion', content: PLAN_JSON, chunkSize: 5 },
      ],
      { onUsage: (event) => perRequest.push(event) },
    );
    const perCall: TokenUsage[] = [];

    await llm.plan(
      { request: taskRequest(), profile: profile() },
      { tenantId: 'acme', taskId: 't-c', onToken: () => undefined, onUsage: (usage) => perCall.push(usage) },
    );

    // The 503 counted nothing; the unusable reply and its repair are summed into one report.
    expect(server.to('/chat/completions')).toHaveLength(3);
    const repairOutput = Math.ceil(PLAN_JSON.length / 5);
    expect(perCall).toEqual([
      { inputTokens: 20, outputTokens: server.requests[1]!.sent.length + repairOutput },
    ]);
    expect(perRequest.map((u) => u.outputTokens)).toEqual([server.requests[1]!.sent.length, repairOutput]);
  });

  it('tells the caller the tokens of a call that failed after its repair round', async () => {
    const { llm } = await setUp([{ kind: 'completion', content: 'not JSON at all' }]);
    const perCall: TokenUsage[] = [];
    const onUsage = (usage: TokenUsage) => perCall.push(usage);

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-f', onUsage })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(perCall).toEqual([{ inputTokens: 20, outputTokens: 20 }]);
  });

  it('tells the caller nothing when no request was counted', async () => {
    const { server, llm } = await setUp([{ kind: 'error', status: 401, message: 'no key' }]);
    const perCall: TokenUsage[] = [];

    const error = await llm
      .plan(
        { request: taskRequest(), profile: profile() },
        { tenantId: 'acme', taskId: 't-g', onUsage: (usage) => perCall.push(usage) },
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmRequestError);
    expect(server.to('/chat/completions')).toHaveLength(1);
    expect(perCall).toEqual([]);
  });

  it('retries a 429 after the Retry-After the server gave, then streams the answer', async () => {
    const { server, llm, retries } = await setUp([
      { kind: 'error', status: 429, headers: { 'retry-after': '0' }, message: 'slow down' },
      { kind: 'completion', content: DRAFT_JSON },
    ]);
    const tokens: string[] = [];

    const draft = await llm.draft(draftInput(), {
      tenantId: 'acme',
      taskId: 't-3',
      onToken: (delta) => tokens.push(delta),
    });

    expect(server.to('/chat/completions')).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ operation: 'draft', taskId: 't-3', attempt: 1, delayMs: 0 });
    expect(retries[0]?.error).toBeInstanceOf(LlmRateLimitError);
    expect(tokens).toEqual(server.requests[1]?.sent);
    expect(tokens.join('')).toBe(DRAFT_JSON);
    expect(draft.recommendations).toHaveLength(3);
  });

  it('backs off exponentially on 5xx and gives up with a retriable LlmServerError after maxRetries', async () => {
    const { server, llm, retries } = await setUp(
      [{ kind: 'error', status: 503 }],
      { backoff: { baseDelayMs: 2 }, random: () => 0.999 },
      { maxRetries: 2 },
    );

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-4' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmServerError);
    expect(error).toMatchObject({
      retriable: true,
      status: 503,
      attempts: 3,
      operation: 'plan',
      taskId: 't-4',
    });
    expect(server.requests).toHaveLength(3);
    expect(retries.map((event) => event.delayMs)).toEqual([2, 4]);
  });

  it('does not wait out a Retry-After longer than the policy allows: the error goes back to the caller at once', async () => {
    const { server, llm, retries } = await setUp([
      { kind: 'error', status: 429, headers: { 'retry-after': '120' } },
    ]);

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-5' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmRateLimitError);
    expect(error).toMatchObject({ retriable: true, retryAfterMs: 120_000 });
    expect(server.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('fails a 401 at once with a non-retriable LlmRequestError', async () => {
    const { server, llm } = await setUp([{ kind: 'error', status: 401, message: 'bad key' }]);

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-6' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmRequestError);
    expect(error).toMatchObject({ retriable: false, status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('asks once for a repair, then rejects a reply that is not JSON with LlmOutputError', async () => {
    const { server, llm } = await setUp([
      { kind: 'completion', content: 'Sure! Here are some ideas: mysteries.' },
    ]);

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-7' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmOutputError);
    expect(error).toMatchObject({ retriable: false, raw: 'Sure! Here are some ideas: mysteries.' });
    expect((error as LlmOutputError).problems).toEqual(['the reply contains no JSON object']);
    const requests = server.to('/chat/completions');
    expect(requests).toHaveLength(2);
    const repair = requests[1]?.body.messages ?? [];
    expect(repair.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair[3]?.content).toContain('the reply contains no JSON object');
  });

  it('awaits beforeRequest before every request, retries and repair rounds included; what it throws ends the call unsent', async () => {
    const seen: string[] = [];
    let allowed = 3;
    const refusal = new Error('budget spent');
    const { server, llm } = await setUp(
      [
        { kind: 'error', status: 503 },
        { kind: 'completion', content: 'not JSON at all' },
      ],
      {
        beforeRequest: async ({ operation, taskId }) => {
          seen.push(`${operation}:${taskId}`);
          if (allowed === 0) throw refusal;
          allowed -= 1;
          await Promise.resolve();
        },
      },
      { maxRetries: 2 },
    );

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-b' })
      .catch((e: unknown) => e);

    // A 503, its retry answered with an unusable reply, the repair round: three requests, all let
    // through; a fourth would have been refused, but none was needed.
    expect(seen).toEqual(['plan:t-b', 'plan:t-b', 'plan:t-b']);
    expect(server.to('/chat/completions')).toHaveLength(3);
    expect(error).toBeInstanceOf(LlmOutputError);

    allowed = 0;
    const refused = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-c' })
      .catch((e: unknown) => e);
    expect(refused).toBe(refusal);
    expect(server.to('/chat/completions')).toHaveLength(3);
  });

  it('rejects a draft that keeps naming item ids that are not candidates', async () => {
    const invented = JSON.stringify({
      summary: 'x',
      recommendations: [
        { itemId: 'bk-1', reason: 'ok' },
        { itemId: 'made-up-7', reason: 'invented' },
      ],
    });
    const { server, llm } = await setUp([{ kind: 'completion', content: invented }]);

    const error = await llm.draft(draftInput(), { tenantId: 'acme', taskId: 't-8' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmOutputError);
    expect((error as LlmOutputError).problems).toEqual([
      '$.recommendations[1].itemId: "made-up-7" is not one of the candidate ids',
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('repairs a draft that named an unknown or excluded item when the second reply is sound', async () => {
    const wrong = JSON.stringify({
      summary: 'x',
      recommendations: [
        { itemId: 'ghost-1', reason: 'invented' },
        { itemId: 'bk-2', reason: 'excluded' },
      ],
    });
    const { server, llm } = await setUp([
      { kind: 'completion', content: wrong },
      { kind: 'completion', content: DRAFT_JSON },
    ]);

    const draft = await llm.draft(draftInput({ request: taskRequest({}, { excludeItemIds: ['bk-2'] }) }), {
      tenantId: 'acme',
      taskId: 't-9',
    });

    expect(draft.recommendations.map((rec) => rec.itemId)).toEqual(['bk-1', 'mu-1', 'bk-3']);
    const repair = server.requests[1]?.body.messages?.[3]?.content ?? '';
    expect(repair).toContain('"ghost-1" is not one of the candidate ids');
    expect(repair).toContain('"bk-2" may not be recommended (excluded by the request)');
  });

  it('aborts a slow request in flight: LlmAbortedError, and the server sees the connection closed', async () => {
    const { server, llm } = await setUp([{ kind: 'hang' }]);
    const controller = new AbortController();

    const call = llm.plan(
      { request: taskRequest(), profile: profile() },
      { tenantId: 'acme', taskId: 't-10', signal: controller.signal },
    );
    const settled = call.catch((e: unknown) => e);
    await until(() => server.requests.length === 1, 'the request to arrive');
    controller.abort(new Error('task cancelled'));

    const error = await settled;
    expect(error).toBeInstanceOf(LlmAbortedError);
    expect(error).toMatchObject({ retriable: false, operation: 'plan', taskId: 't-10' });
    await until(() => server?.requests[0]?.closedEarly === true, 'the server to see the connection closed');
  });

  it('aborts in the middle of a stream rather than parsing the partial reply', async () => {
    const warnings: string[] = [];
    const logger = { log: () => undefined, warn: (message: string) => warnings.push(message) };
    const { server, llm } = await setUp([{ kind: 'stall-stream', deltas: ['{"summary": "Two', ' picks"'] }], {
      logger,
    });
    const controller = new AbortController();
    const tokens: string[] = [];

    const error = await llm
      .draft(draftInput(), {
        tenantId: 'acme',
        taskId: 't-11',
        signal: controller.signal,
        onToken: (delta) => {
          tokens.push(delta);
          if (tokens.length === 2) controller.abort();
        },
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmAbortedError);
    expect(tokens).toEqual(['{"summary": "Two', ' picks"']);
    expect(warnings).toEqual([]);
    expect(server.requests).toHaveLength(1);
    await until(() => server.requests[0]?.closedEarly === true, 'the server to see the connection closed');
  });

  it('times out a request that takes longer than timeoutMs with a retriable LlmTimeoutError', async () => {
    const { server, llm } = await setUp([{ kind: 'hang' }], {}, { timeoutMs: 200, maxRetries: 0 });

    const error = await llm
      .plan({ request: taskRequest(), profile: profile() }, { tenantId: 'acme', taskId: 't-12' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LlmTimeoutError);
    expect(error).toMatchObject({ retriable: true });
    await until(() => server.requests[0]?.closedEarly === true, 'the server to see the connection closed');
  });

  it('falls back to json_object with the schema in the prompt when the server rejects json_schema, and stays there', async () => {
    const { server, llm } = await setUp([
      { kind: 'error', status: 400, message: "response_format type 'json_schema' is not supported" },
      { kind: 'completion', content: PLAN_JSON },
    ]);
    const input = { request: taskRequest(), profile: profile() };

    const first = await llm.plan(input, { tenantId: 'acme', taskId: 't-13' });
    await llm.plan(input, { tenantId: 'acme', taskId: 't-13' });

    expect(first.steps).toHaveLength(2);
    expect(llm.outputMode).toBe('json_object');
    const requests = server.to('/chat/completions');
    expect(requests.map((request) => request.body.response_format?.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object',
    ]);
    expect(requests[1]?.body.messages?.[0]?.content).toContain('must conform to this JSON Schema');
  });

  it('turns a review the model approved into "revise" when rule checks fired, listing the checks first', async () => {
    const verdict = JSON.stringify({ verdict: 'approved', critique: 'Good picks.', issues: [], score: 0.92 });
    const { llm } = await setUp([{ kind: 'completion', content: verdict }]);
    const checks: ReviewCheck[] = [
      { kind: 'low-diversity', message: 'Three of four items are books.', itemIds: ['bk-1', 'bk-2', 'bk-3'] },
    ];
    const draft = { summary: 'Mysteries.', recommendations: [], provider: llm.provider };

    const judgement = await llm.review(
      { request: taskRequest(), profile: profile(), draft, round: 1, checks },
      { tenantId: 'acme', taskId: 't-14' },
    );

    expect(judgement.verdict).toBe('revise');
    expect(judgement.score).toBe(0.92);
    expect(judgement.issues).toEqual([
      '[low-diversity] Three of four items are books. (items: bk-1, bk-2, bk-3)',
    ]);
    expect(judgement.critique).toContain('[low-diversity]');
    expect(judgement.critique).toContain('Good picks.');
  });

  it('answers a draft with no eligible candidates without calling the model', async () => {
    const { server, llm } = await setUp([{ kind: 'completion', content: DRAFT_JSON }]);

    const draft = await llm.draft(draftInput({ request: taskRequest({}, { categories: ['garden'] }) }), {
      tenantId: 'acme',
      taskId: 't-15',
    });

    expect(draft.recommendations).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('retryAfter', () => {
  it('reads retry-after-ms, Retry-After in seconds and as an HTTP date', () => {
    expect(retryAfter(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfter(new Headers({ 'retry-after': '0' }))).toBe(0);
    expect(retryAfter(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfter(new Headers({ 'retry-after': inOneMinute }))).toBeGreaterThan(55_000);
    expect(retryAfter(new Headers())).toBeUndefined();
    expect(retryAfter(undefined)).toBeUndefined();
  });
});

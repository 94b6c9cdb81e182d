import { MongoCallJournal, readCallRecords } from '@tributary/agent';
import { callKey, OpenAiLlm, RecordedLlm } from '@tributary/llm';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { FakeOpenAiServer } from '@tributary/testing/llm/fake-openai-server';
import { llmConfig, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The tokens of an LLM call, from the OpenAI-compatible adapter through the call journal into the
 * real store, and back as `tributary task trace` reads them.
 */
const config = testConfig('planner-agent');
let connection: Connection;
let server: FakeOpenAiServer;

const PLAN_JSON = JSON.stringify({
  summary: 'Mysteries first.',
  steps: [{ query: 'cosy mystery novels', categories: ['Books'], rationale: 'The request asks for them.' }],
});

beforeAll(async () => {
  const uri = new URL(config.mongoUri);
  uri.pathname = `/${uniqueName('call_journal_tokens').replace(/\W/g, '_')}`;
  connection = await connectMongo(uri.toString());
  // An unusable reply, then its repair: one call, two requests, 10 + 10 tokens each.
  server = await FakeOpenAiServer.start([
    { kind: 'completion', content: 'not JSON at all' },
    { kind: 'completion', content: PLAN_JSON },
  ]);
});

afterAll(async () => {
  await server.close();
  await connection.dropDatabase();
  await connection.close();
});

describe('the call journal and the tokens of a call', () => {
  it('records the tokens of all the requests of a call made, and reads records without them as null', async () => {
    const llm = new OpenAiLlm(llmConfig(server.baseUrl), { backoff: { baseDelayMs: 1 } });
    const recorded = new RecordedLlm(llm, new MongoCallJournal(connection, 'planner-agent'));
    const input = { request: taskRequest(), profile: profile() };

    await recorded.plan(input, { tenantId: 'acme', taskId: 'tsk-tokens' });
    // Served from the journal by a fresh instance (a redelivery): no request, nothing recorded again.
    await new RecordedLlm(llm, new MongoCallJournal(connection, 'planner-agent')).plan(input, {
      tenantId: 'acme',
      taskId: 'tsk-tokens',
    });
    expect(server.to('/chat/completions')).toHaveLength(2);

    // A record written before tokens were kept.
    const old = new MongoCallJournal(connection, 'planner-agent');
    await old.put('f'.repeat(64), { summary: 'old' }, { taskId: 'tsk-old', method: 'plan', durationMs: 5 });

    const key = callKey('plan', llm.provider, 'acme', input);
    const records = await readCallRecords(connection, [key, 'f'.repeat(64)]);
    expect(records.get(key)).toMatchObject({
      agent: 'planner-agent',
      taskId: 'tsk-tokens',
      method: 'plan',
      inputTokens: 20,
      outputTokens: 20,
    });
    expect(records.get('f'.repeat(64))).toMatchObject({
      taskId: 'tsk-old',
      inputTokens: null,
      outputTokens: null,
    });
  });
});

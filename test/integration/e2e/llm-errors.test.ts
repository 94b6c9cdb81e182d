import { randomBytes } from 'node:crypto';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { ALL_TOPICS, CONSUMER_GROUPS, deadLetterTopic, retryTopic } from '@tributary/contracts';
import { createKafkaClient } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import { assertGroupsIdle, resetGroupToEnd, Services, testConfig, waitFor } from '@tributary/testing';
import { type Admin } from 'kafkajs';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from '@tributary/testing/llm/fake-openai-server';

/**
 * A non-retriable model error ends the task at once: the built services on the real stack, with
 * the agents pointed at a fake OpenAI-compatible server that refuses every API key (HTTP 401).
 * Retrying a refused key can never help, so it must cost one request, not a round of in-process
 * retries times the retry topic's attempts, and it must not be left for operators as a dead letter.
 */
interface TaskView {
  taskId: string;
  status: string;
  terminal: boolean;
  failure: { stage: string; reason: string } | null;
}

const base = testConfig('gateway');
const database = `llm_errors_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const mongoUri = Object.assign(new URL(base.mongoUri), { pathname: `/${database}` }).toString();
const kafka = createKafkaClient(base);
const AGENT_GROUPS = [CONSUMER_GROUPS.planner, CONSUMER_GROUPS.research, CONSUMER_GROUPS.reviewer];
const GROUPS = [...AGENT_GROUPS, CONSUMER_GROUPS.projection, CONSUMER_GROUPS.deadlines];
const REFUSED = { kind: 'error', status: 401, message: 'Incorrect API key provided' } as const;

let llm: FakeOpenAiServer;
let services: Services;
let mongo: Connection;
let admin: Admin;

/** The retry and dead-letter topics of the agents' groups: everything a failure could leave behind. */
const failureTopics = AGENT_GROUPS.flatMap((group) => [retryTopic(group), deadLetterTopic(group)]);

async function messageCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const topic of failureTopics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    counts[topic] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
  }
  return counts;
}

async function submitAndWaitForEnd(request: string): Promise<TaskView> {
  const gateway = services.url('gateway');
  const res = await fetch(`${gateway}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'u-alice', request }),
  });
  expect(res.status).toBe(202);
  const { taskId } = (await res.json()) as { taskId: string };
  return waitFor(
    async () => {
      const view = (await (await fetch(`${gateway}/v1/tasks/${taskId}`)).json()) as TaskView;
      return view.terminal ? view : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, description: `${taskId} to end` },
  );
}

const llmEnv = (agent: 'PLANNER' | 'RESEARCH' | 'REVIEWER'): Record<string, string> => ({
  [`TRIBUTARY_${agent}_LLM_BASE_URL`]: llm.baseUrl,
  [`TRIBUTARY_${agent}_LLM_API_KEY`]: 'sk-refused',
  [`TRIBUTARY_${agent}_LLM_MODEL`]: 'fake',
});

beforeAll(async () => {
  await assertGroupsIdle(kafka, GROUPS);
  admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  for (const group of GROUPS) {
    const topics = [...ALL_TOPICS.map((t) => t.name), retryTopic(group)].filter((t) => existing.has(t));
    await resetGroupToEnd(kafka, group, topics);
  }
  // @ts-expect-error plain ESM script without type declarations
  const build = (await import('../../../scripts/build.mjs')) as { buildApps: () => Promise<number> };
  await build.buildApps();
  mongo = await connectMongo(mongoUri);
  await loadData({ connection: mongo, tenantId: 'default', ...defaultDataFiles('data'), ifEmpty: false });

  llm = await FakeOpenAiServer.start(() => REFUSED);
  services = new Services({
    TRIBUTARY_MONGO_URI: mongoUri,
    TRIBUTARY_LOG_LEVEL: 'warn',
    // In-process retries stay on (the default is 3): a refused key must not use them.
    TRIBUTARY_LLM_MAX_RETRIES: '3',
  });
  await services.start('gateway');
  await services.start('planner-agent', llmEnv('PLANNER'));
  await services.start('research-agent', llmEnv('RESEARCH'));
  await services.start('reviewer-agent', llmEnv('REVIEWER'));
}, 240_000);

afterAll(async () => {
  await services?.stopAll();
  await llm?.close();
  await admin?.disconnect();
  await mongo?.dropDatabase();
  await mongo?.close();
}, 60_000);

describe('a refused API key', () => {
  it('costs the planner one request and fails the task with a readable reason, with no retry or dead letter', async () => {
    const before = await messageCounts();
    const view = await submitAndWaitForEnd('a board game for a family evening');

    expect(view.status).toBe('failed');
    expect(view.failure?.stage).toBe('planning');
    expect(view.failure?.reason).toContain('the language model refused the request');
    expect(llm.requests).toHaveLength(1);
    expect(await messageCounts()).toEqual(before);
  });

  it('costs the research stage one request when planning needs no model', async () => {
    // The planner now plans offline, so the task reaches research, whose key is refused.
    await services.stop('planner-agent');
    await services.start('planner-agent');
    const requestsBefore = llm.requests.length;
    const before = await messageCounts();
    const view = await submitAndWaitForEnd('a gripping science-fiction novel');

    expect(view.status).toBe('failed');
    expect(view.failure?.stage).toBe('researching');
    expect(view.failure?.reason).toContain('the language model refused the request');
    expect(llm.requests.length - requestsBefore).toBe(1);
    expect(await messageCounts()).toEqual(before);
  });
});

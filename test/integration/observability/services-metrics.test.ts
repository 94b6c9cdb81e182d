import { randomBytes } from 'node:crypto';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { ALL_TOPICS, CONSUMER_GROUPS } from '@tributary/contracts';
import { createKafkaClient } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import {
  bundleEntry,
  freePort,
  resetGroupToEnd,
  type SpawnedProcess,
  spawnBundle,
  testConfig,
  waitFor,
} from '@tributary/testing';
import { scrape, type Scrape } from '@tributary/testing/metrics';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintApiKey } from '../../../apps/gateway/src/auth/api-key';
import { AUTH_COLLECTION_NAMES } from '../../../apps/gateway/src/auth/collections';

/**
 * The four services as separate processes on the real stack, each scraped at `/metrics` and read
 * with a Prometheus text-format parser. They run on consumer groups of this test's own (with the
 * checkout's group suffix) and the agents work only on this test's tenant (fixtures/service.ts), so
 * other tests and a running system sharing the topics are left alone. The gateway has
 * authentication on, so it serves `/metrics` on a port of its own and not on its API port.
 */

const SUFFIX = process.env.TRIBUTARY_TEST_GROUP_SUFFIX ?? 'local';
const PREFIX = `test-obs-${SUFFIX}`;
const run = randomBytes(4).toString('hex');
const TENANT = `obs-${run}`;
const AGENTS = ['planner-agent', 'research-agent', 'reviewer-agent'] as const;
const GROUPS = {
  gateway: `${PREFIX}-${CONSUMER_GROUPS.projection}`,
  'planner-agent': `${PREFIX}-${CONSUMER_GROUPS.planner}`,
  'research-agent': `${PREFIX}-${CONSUMER_GROUPS.research}`,
  'reviewer-agent': `${PREFIX}-${CONSUMER_GROUPS.reviewer}`,
} as const;
/** The topic each agent's work arrives on. */
const WORK_TOPICS = {
  'planner-agent': 'tributary.internal.task.requested.v1',
  'research-agent': 'tributary.internal.task.planned.v1',
  'reviewer-agent': 'tributary.internal.research.completed.v1',
} as const;

type Name = 'gateway' | (typeof AGENTS)[number];

const processes = new Map<Name, SpawnedProcess>();
const ports = new Map<string, number>();
let mongo: Connection;
let apiKey = '';

function url(name: Name | 'gateway-metrics', path: string): string {
  return `http://127.0.0.1:${ports.get(name)}${path}`;
}

beforeAll(async () => {
  const base = testConfig('gateway');
  const mongoUri = new URL(base.mongoUri);
  mongoUri.pathname = `/obs_test_${run}`;
  mongo = await connectMongo(mongoUri.toString());
  await loadData({ connection: mongo, tenantId: TENANT, ...defaultDataFiles('data'), ifEmpty: false });
  const minted = mintApiKey();
  await mongo.collection(AUTH_COLLECTION_NAMES.apiKeys).insertOne({
    _id: minted.keyId as never,
    tenantId: TENANT,
    scopes: ['submit', 'read'],
    name: 'observability test',
    secretHash: minted.secretHash,
    createdAt: new Date(),
    revokedAt: null,
  });
  apiKey = minted.key;

  // Groups that start at the topics' ends: only what this test produces is theirs to read.
  const kafka = createKafkaClient(base, { clientId: `obs-reset-${run}` });
  const topics = ALL_TOPICS.map((topic) => topic.name);
  for (const group of [...Object.values(GROUPS), `${PREFIX}-${CONSUMER_GROUPS.inFlight}`]) {
    await resetGroupToEnd(kafka, group, topics);
  }

  const bundle = await bundleEntry('test/integration/observability/fixtures/service.ts');
  for (const name of ['gateway', 'gateway-metrics', ...AGENTS]) ports.set(name, await freePort());
  const common = {
    OBS_GROUP_PREFIX: PREFIX,
    OBS_TENANT: TENANT,
    TRIBUTARY_MONGO_URI: mongoUri.toString(),
    TRIBUTARY_LOG_LEVEL: 'info',
  };
  const env: Record<Name, Record<string, string>> = {
    gateway: {
      TRIBUTARY_GATEWAY_PORT: String(ports.get('gateway')),
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_GATEWAY_METRICS_PORT: String(ports.get('gateway-metrics')),
    },
    // Debug: the step's "planning done" line is written inside the delivery (see the log check).
    'planner-agent': {
      TRIBUTARY_PLANNER_PORT: String(ports.get('planner-agent')),
      TRIBUTARY_LOG_LEVEL: 'debug',
    },
    'research-agent': { TRIBUTARY_RESEARCH_PORT: String(ports.get('research-agent')) },
    'reviewer-agent': { TRIBUTARY_REVIEWER_PORT: String(ports.get('reviewer-agent')) },
  };
  for (const name of ['gateway', ...AGENTS] as const) {
    processes.set(
      name,
      spawnBundle(bundle, {
        ...common,
        ...env[name],
        OBS_SERVICE: name,
        TRIBUTARY_KAFKA_CLIENT_ID: `${PREFIX}-${name}-${run}`,
      }),
    );
  }
  await Promise.all(
    [...processes].map(([name, child]) => child.waitForOutput(new RegExp(`^ready ${name}$`, 'm'), 90_000)),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(
    [...processes.values()].map(async (child) => {
      child.child.kill('SIGTERM');
      const forced = setTimeout(() => child.child.kill('SIGKILL'), 20_000);
      await child.exited;
      clearTimeout(forced);
    }),
  );
  await mongo?.db?.dropDatabase().catch(() => undefined);
  await mongo?.close();
});

function handled(s: Scrape, group: string, topic?: string): number {
  return s.value('tributary_kafka_consumer_messages_total', {
    group,
    outcome: 'handled',
    ...(topic ? { topic } : {}),
  });
}

describe('/metrics of every service', () => {
  it('parses as Prometheus text on each service and tells a task’s way through them, with bounded labels', async () => {
    const submitted = await fetch(url('gateway', '/v1/tasks'), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: 'u-alice',
        request: 'a space opera novel for a long hike',
        maxResults: 3,
      }),
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.json()) as { taskId: string };
    await waitFor(
      async () => {
        const response = await fetch(url('gateway', `/v1/tasks/${taskId}`), {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        const task = (await response.json()) as { status: string };
        return task.status === 'completed';
      },
      { timeoutMs: 90_000, intervalMs: 250, description: `task ${taskId} completed` },
    );

    // The gateway: the task's outcome (counted by its projection), its HTTP routes, its consumers.
    const gateway = await waitFor(
      async () => {
        const s = await scrape(url('gateway-metrics', '/metrics'));
        return s.value('tributary_tasks_ended_total', { tenant: TENANT }) === 1 ? s : undefined;
      },
      { description: 'the gateway counted the task ended' },
    );
    expect(gateway.value('tributary_tasks_submitted_total', { tenant: TENANT })).toBe(1);
    expect(gateway.value('tributary_tasks_ended_total', { tenant: TENANT, status: 'completed' })).toBe(1);
    expect(gateway.count('tributary_task_duration_seconds', { status: 'completed' })).toBe(1);
    const http = (method: string, route: string) =>
      gateway.count('http_server_request_duration_seconds', {
        http_request_method: method,
        http_route: route,
      });
    expect(http('POST', '/v1/tasks')).toBe(1);
    expect(http('GET', '/v1/tasks/:id')).toBeGreaterThanOrEqual(1);
    expect(handled(gateway, GROUPS.gateway)).toBeGreaterThanOrEqual(4);
    expect(gateway.family('tributary_kafka_consumer_lag')?.type).toBe('GAUGE');
    expect(gateway.samples('tributary_kafka_consumer_lag', { group: GROUPS.gateway }).length).toBeGreaterThan(
      0,
    );
    expect(gateway.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    // With authentication on, the API port does not serve the tenant-labelled metrics.
    expect((await fetch(url('gateway', '/metrics'))).status).toBe(404);

    // Each agent: its consumer handled the task's event, its LLM call was timed for the tenant.
    for (const agent of AGENTS) {
      const s = await scrape(url(agent, '/metrics'));
      expect(handled(s, GROUPS[agent], WORK_TOPICS[agent]), agent).toBeGreaterThanOrEqual(1);
      expect(
        s.count('tributary_llm_request_duration_seconds', {
          agent,
          model: 'offline',
          tenant: TENANT,
          result: 'success',
        }),
        agent,
      ).toBeGreaterThanOrEqual(1);
      expect(
        s.samples('tributary_kafka_consumer_lag', { group: GROUPS[agent] }).length,
        agent,
      ).toBeGreaterThan(0);
      expect(
        s.samples('tributary_kafka_consumer_handlers_in_flight', { group: GROUPS[agent] }),
        agent,
      ).toHaveLength(1);
      expect(s.value('process_resident_memory_bytes'), agent).toBeGreaterThan(0);
      for (const value of s.labelValues()) expect(value, agent).not.toContain(taskId);
    }
    for (const value of gateway.labelValues()) {
      expect(value).not.toContain(taskId);
      expect(value).not.toMatch(/^\/v1\/tasks\/tsk_/);
    }

    // Log lines written while an agent handled the task name the task and its tenant.
    const planner = processes.get('planner-agent')!.output();
    const lines = planner
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.taskId === taskId);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.tenantId).toBe(TENANT);
  });
});

import { Logger } from '@nestjs/common';
import {
  AgentStep,
  CancellationRegistry,
  MongoCallJournal,
  MongoCancellationStore,
  ProfileCache,
} from '@tributary/agent';
import { ProfileStore } from '@tributary/catalogue';
import { ALL_TOPICS, deadLetterTopic, ROOT_EVENT_INDEX, retryTopic, TOPICS } from '@tributary/contracts';
import { type Delivery, EVENT_SERIALIZER, type EventSerializer, KAFKA_CLIENT } from '@tributary/kafka';
import { OpenAiLlm, RecordedLlm } from '@tributary/llm';
import {
  resetGroupToEnd,
  RuntimeHarness,
  testConfig,
  TopicWatch,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { FakeOpenAiServer } from '@tributary/testing/llm/fake-openai-server';
import { type Kafka } from 'kafkajs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanTaskUseCase } from '../../../apps/planner-agent/src/plan-task/plan-task.usecase';
import { type Gateway, startGateway } from '../gateway/harness';

/**
 * Deadlines on the real stack: a gateway (projection, in-flight, webhooks and deadline consumers, in
 * test groups), a planner built as the planner agent builds it (AgentStep, the journaled OpenAI
 * adapter) against a stand-in LLM server that hangs, and Kafka, the registry and the store. Each
 * test has a tenant of its own; the planner consumes the real task.requested topic from its end in
 * a group of its own and works only on this file's tenants (other tests' tasks are theirs).
 */

const GRACE_MS = 8_000;
/** At most this long after its deadline a task must have ended, agent or gateway (the grace, and time to spare on a busy machine). */
const MARGIN_MS = GRACE_MS + 20_000;

let gateway: Gateway;
let receiver: WebhookReceiver;
let llm: FakeOpenAiServer;
let planner: RuntimeHarness;
let failures: TopicWatch<typeof TOPICS.taskFailed>;
const ours = new Set<string>();
const tenants = new Set<string>();

interface Hook {
  readonly type: string;
  readonly data: { taskId: string; failure: { code: string | null } | null };
}

class WebhookReceiver {
  readonly received: Hook[] = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Hook);
      response.end('ok');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  of(taskId: string): Hook[] {
    return this.received.filter((hook) => hook.data.taskId === taskId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let hooksUrl = '';

beforeAll(async () => {
  Logger.overrideLogger(false);
  receiver = new WebhookReceiver();
  hooksUrl = await receiver.start();
  llm = await FakeOpenAiServer.start([{ kind: 'hang' }]);
  gateway = await startGateway(
    { webhooks: { enabled: true }, inFlight: { enabled: true }, deadlines: { enabled: true } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_MAX_IN_FLIGHT_TASKS: '1',
      TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1',
      TRIBUTARY_TASK_DEADLINE_GRACE_MS: String(GRACE_MS),
    },
  );
  const kafka = gateway.app.get<Kafka>(KAFKA_CLIENT);
  failures = await TopicWatch.start(
    kafka,
    gateway.app.get<EventSerializer>(EVENT_SERIALIZER),
    TOPICS.taskFailed,
    (key) => ours.has(key),
  );
  planner = await startPlanner(kafka);
}, 120_000);

afterAll(async () => {
  await planner?.close();
  await failures?.close();
  await gateway?.close();
  await llm?.close();
  await receiver?.stop();
});

/** The planner agent's step over the OpenAI adapter, on this file's tenants' task.requested events. */
async function startPlanner(kafka: Kafka): Promise<RuntimeHarness> {
  const config = testConfig('planner-agent', {
    TRIBUTARY_LLM_BASE_URL: llm.baseUrl,
    TRIBUTARY_LLM_MODEL: 'stand-in',
    TRIBUTARY_TASK_DEADLINE_GRACE_MS: String(GRACE_MS),
  });
  const harness = new RuntimeHarness(config);
  await harness.serializer.register(ALL_TOPICS);
  const group = uniqueName('deadline-planner');
  await harness.admin.ensureTopics(
    [TOPICS.taskRequested.name, retryTopic(group), deadLetterTopic(group)].map((name) => ({
      name,
      partitions: config.kafka.partitions,
    })),
  );
  await waitFor(
    () => resetGroupToEnd(kafka, group, [TOPICS.taskRequested.name, retryTopic(group)]).then(() => true),
    { timeoutMs: 30_000, intervalMs: 250, description: "the planner's group at the topic's end" },
  );
  const cancellations = new CancellationRegistry(new MongoCancellationStore(gateway.mongo));
  await cancellations.init();
  const step = new AgentStep(harness.producer, cancellations, config.runtime.maxAttempts, {
    deadlineGraceMs: config.deadlines.graceMs,
  });
  const plan = new PlanTaskUseCase(
    step,
    new ProfileCache(new ProfileStore(gateway.mongo)),
    new RecordedLlm(new OpenAiLlm(config.llm), new MongoCallJournal(gateway.mongo, 'planner-agent')),
    harness.producer,
  );
  const consumer = harness.consumer({ group, fromBeginning: false });
  consumer.handle(TOPICS.taskRequested, (delivery: Delivery<typeof TOPICS.taskRequested>) =>
    tenants.has(delivery.value.tenantId) ? plan.execute(delivery) : Promise.resolve(),
  );
  await consumer.start();
  return harness;
}

interface Client {
  readonly tenant: string;
  readonly key: string;
  readonly userId: string;
}

async function newClient(): Promise<Client> {
  const tenant = `deadlines-${randomBytes(4).toString('hex')}`;
  tenants.add(tenant);
  const key = await gateway.createApiKey(tenant, ['submit', 'read']);
  return { tenant, key, userId: await gateway.newUser(tenant) };
}

function submit(client: Client, body: Record<string, unknown> = {}): Promise<Response> {
  return gateway.fetch('/v1/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.key}` },
    body: JSON.stringify({
      userId: client.userId,
      request: 'a sci-fi novel',
      callbackUrl: hooksUrl,
      ...body,
    }),
  });
}

async function submitted(client: Client, body: Record<string, unknown>): Promise<string> {
  const response = await submit(client, body);
  expect(response.status).toBe(202);
  const { taskId } = (await response.json()) as { taskId: string };
  ours.add(taskId);
  return taskId;
}

interface TaskJson {
  status: string;
  terminal: boolean;
  request: { deadlineAt: string | null };
  failure: { stage: string; code: string | null; reason: string; at: string } | null;
  timeline: { type: string }[];
}

async function readTask(client: Client, taskId: string): Promise<TaskJson> {
  const response = await gateway.fetch(`/v1/tasks/${taskId}`, {
    headers: { authorization: `Bearer ${client.key}` },
  });
  return (await response.json()) as TaskJson;
}

function ended(client: Client, taskId: string, timeoutMs: number): Promise<TaskJson> {
  return waitFor(
    async () => {
      const task = await readTask(client, taskId);
      return task.terminal ? task : null;
    },
    { timeoutMs, intervalMs: 100, description: `task ${taskId} ended` },
  );
}

/** The gateway's deadline consumer has checked the task at its deadline plus the grace and found it ended. */
function backstopFoundEnded(taskId: string): Promise<unknown> {
  return waitFor(
    () =>
      gateway.logger.lines.some((line) =>
        line.message.includes(`task ${taskId}: past its deadline, had ended`),
      ),
    { timeoutMs: MARGIN_MS + 10_000, description: `the deadline check of ${taskId}` },
  );
}

describe('deadlines', () => {
  it('a task whose LLM call hangs ends failed deadline-exceeded at its deadline: the call aborted, the slot freed, the webhook sent, one terminal event', async () => {
    const client = await newClient();
    const taskId = await submitted(client, { deadline: 3 });
    const deadlineAt = Date.parse((await readTask(client, taskId)).request.deadlineAt ?? '');

    const task = await ended(client, taskId, 3_000 + MARGIN_MS);
    expect(task.status).toBe('failed');
    expect(task.failure).toMatchObject({
      stage: 'planning',
      code: 'deadline-exceeded',
      reason: `The task did not finish before its deadline (${new Date(deadlineAt).toISOString()}).`,
    });
    expect(Date.parse(task.failure?.at ?? '')).toBeGreaterThanOrEqual(deadlineAt);
    // The planner ended it when the deadline fired (the gateway's check, after the grace, found it ended).
    const [failed] = await waitFor(() => (failures.of(taskId).length > 0 ? failures.of(taskId) : null), {
      description: 'the task.failed event',
    });
    expect(failed?.envelope.producer).toBe('tests');

    // The hanging request was aborted: the stand-in saw its connection closed.
    const [call] = llm.to('/chat/completions');
    await waitFor(() => call?.closedEarly, { description: 'the LLM request aborted' });

    // The tenant's only slot is free again (the next task is left alone: the planner stops
    // serving the tenant), and the webhook says why the task failed.
    tenants.delete(client.tenant);
    const next = await waitFor(
      async () => {
        const response = await submit(client, { deadline: 60 });
        return response.status === 202 ? ((await response.json()) as { taskId: string }) : null;
      },
      { description: 'a second task admitted under a cap of 1' },
    );
    ours.add(next.taskId);
    const [hook] = await waitFor(() => (receiver.of(taskId).length > 0 ? receiver.of(taskId) : null), {
      description: 'the webhook',
    });
    expect(hook).toMatchObject({ type: 'task.failed', data: { failure: { code: 'deadline-exceeded' } } });

    // After the gateway's own check has run, still one terminal event.
    await backstopFoundEnded(taskId);
    expect(failures.of(taskId)).toHaveLength(1);
    expect((await readTask(client, taskId)).timeline.filter((e) => e.type === 'task.failed')).toHaveLength(1);
    expect(receiver.of(taskId)).toHaveLength(1);
  });

  it('a task no agent holds is ended by the gateway at its deadline plus the grace: failed, slot freed, webhook sent', async () => {
    const client = await newClient();
    // A tenant the planner does not serve: no agent ever picks the task up.
    tenants.delete(client.tenant);
    const taskId = await submitted(client, { deadline: 1 });
    const deadlineAt = Date.parse((await readTask(client, taskId)).request.deadlineAt ?? '');

    const task = await ended(client, taskId, 1_000 + MARGIN_MS);
    expect(task).toMatchObject({
      status: 'failed',
      failure: { stage: 'planning', code: 'deadline-exceeded' },
    });
    expect(Date.parse(task.failure?.at ?? '')).toBeGreaterThanOrEqual(deadlineAt + GRACE_MS);

    const [failed] = failures.of(taskId);
    expect(failed?.envelope.position).toEqual({ depth: 0, index: ROOT_EVENT_INDEX.deadline });
    expect(failed?.envelope.producer).toBe('gateway');
    await waitFor(() => receiver.of(taskId).length === 1, { description: 'the webhook' });
    const next = await waitFor(
      async () => {
        const response = await submit(client, { deadline: 60 });
        return response.status === 202 ? ((await response.json()) as { taskId: string }) : null;
      },
      { description: 'a second task admitted under a cap of 1' },
    );
    ours.add(next.taskId);
    expect(failures.of(taskId)).toHaveLength(1);
  });

  it('a task that completes as its deadline fails it ends once: one terminal state, one webhook, its slot freed once', async () => {
    const client = await newClient();
    tenants.delete(client.tenant);
    const taskId = await submitted(client, { deadline: 60 });
    const requested = await waitFor(
      async () =>
        (await readTask(client, taskId)).timeline.some((e) => e.type === 'task.requested') ? true : null,
      { description: 'task.requested projected' },
    );
    expect(requested).toBe(true);

    // The reviewer's result and a deadline failure, published at the same moment.
    const ready = { ...sampleValue(TOPICS.recommendationReady), taskId, tenantId: client.tenant };
    await Promise.all([
      gateway.emit(TOPICS.recommendationReady, ready),
      gateway.emit(TOPICS.taskFailed, {
        taskId,
        tenantId: client.tenant,
        stage: 'reviewing',
        code: 'deadline-exceeded',
        reason: 'The task did not finish before its deadline.',
        failedAt: Date.now(),
      }),
    ]);

    const task = await ended(client, taskId, 20_000);
    await waitFor(
      async () =>
        (await readTask(client, taskId)).timeline.filter((e) => e.type !== 'task.requested').length >= 2,
      { description: 'both terminal events recorded' },
    );
    const settled = await readTask(client, taskId);
    expect(settled.status).toBe(task.status);
    expect(['completed', 'failed']).toContain(settled.status);
    const [hook] = await waitFor(() => (receiver.of(taskId).length > 0 ? receiver.of(taskId) : null), {
      description: 'the webhook',
    });
    expect(hook?.type).toBe(settled.status === 'completed' ? 'task.completed' : 'task.failed');

    // The slot was freed once: one more task is admitted under the cap of 1, a second is refused.
    const next = await waitFor(
      async () => {
        const response = await submit(client, { deadline: 60 });
        return response.status === 202 ? ((await response.json()) as { taskId: string }) : null;
      },
      { description: 'the freed slot' },
    );
    ours.add(next.taskId);
    expect((await submit(client, { deadline: 60 })).status).toBe(429);
    expect(receiver.of(taskId)).toHaveLength(1);
  });

  it('refuses a deadline outside the configured bounds with 400 problem details', async () => {
    const client = await newClient();
    for (const deadline of [0, 3_601, 2.5, 'soon']) {
      const response = await submit(client, { deadline });
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors.map((e) => e.path)).toEqual(['deadline']);
    }
  });
});

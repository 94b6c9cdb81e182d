import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { ALL_TOPICS, CONSUMER_GROUPS, retryTopic, TOPICS } from '@tributary/contracts';
import { createKafkaClient } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import {
  assertGroupsIdle,
  LlmSimulator,
  resetGroupToEnd,
  Services,
  testConfig,
  waitFor,
} from '@tributary/testing';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * One trace per task, as an operator sees it in Jaeger: the four built services export their spans
 * over OTLP to a real Jaeger (built and started by the stack script), and each test reads a task's
 * trace back through Jaeger's query API. All three agents ask a local OpenAI-compatible simulator
 * that reports token counts; the first draft of a request that says "patiently" is answered slowly,
 * so the research agent can be killed while it waits.
 *
 * The services use their production consumer groups (their names are fixed): run this file on a
 * stack of its own (see docs/observability.md), never beside running services.
 */
const SLOW_MARK = 'patiently';
const SLOW_MS = 60_000;
const FAST_MS = 50;

interface JaegerTag {
  readonly key: string;
  readonly value: unknown;
}
interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { refType: string; traceID: string; spanID: string }[];
  readonly tags: readonly JaegerTag[];
  readonly processID: string;
}
interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { serviceName: string }>>;
}

/** A trace as the tests read it: spans with their service, tags and parent. */
class Trace {
  readonly spans: readonly JaegerSpan[];
  private readonly byId: Map<string, JaegerSpan>;

  constructor(private readonly raw: JaegerTrace) {
    this.spans = raw.spans;
    this.byId = new Map(raw.spans.map((span) => [span.spanID, span]));
  }

  get id(): string {
    return normalizeId(this.raw.traceID);
  }

  service(span: JaegerSpan): string {
    return this.raw.processes[span.processID]?.serviceName ?? '?';
  }

  services(): Set<string> {
    return new Set(this.spans.map((span) => this.service(span)));
  }

  tag(span: JaegerSpan, key: string): unknown {
    return span.tags.find((tag) => tag.key === key)?.value;
  }

  parent(span: JaegerSpan): JaegerSpan | undefined {
    const ref = span.references.find((r) => r.refType === 'CHILD_OF');
    return ref === undefined ? undefined : this.byId.get(ref.spanID);
  }

  find(service: string, operation: string, where: (span: JaegerSpan) => boolean = () => true): JaegerSpan[] {
    return this.spans.filter(
      (span) => this.service(span) === service && span.operationName === operation && where(span),
    );
  }

  /** The one span that matches; fails naming what the trace holds when there is none. */
  one(service: string, operation: string, where?: (span: JaegerSpan) => boolean): JaegerSpan {
    const found = this.find(service, operation, where);
    if (found.length === 0) {
      throw new Error(
        `no ${service} span "${operation}" in trace ${this.id}; it holds: ${this.spans
          .map((span) => `${this.service(span)}:${span.operationName}`)
          .sort()
          .join(', ')}`,
      );
    }
    return found[0] as JaegerSpan;
  }

  /** The span that handled `topic` in `group`, a child of the span that sent it. */
  consumed(service: string, topic: string, group: string, where?: (span: JaegerSpan) => boolean): JaegerSpan {
    return this.one(
      service,
      `process ${topic}`,
      (span) => this.tag(span, 'messaging.consumer.group.name') === group && (where?.(span) ?? true),
    );
  }
}

/** Jaeger writes trace ids without leading zeros. */
const normalizeId = (id: string) => id.toLowerCase().padStart(32, '0');

let jaegerUrl: string;
let otlpEndpoint: string;
let simulator: LlmSimulator;
let services: Services;
let mongo: Connection;
let receiver: Server;
let receiverUrl: string;
const webhooks: { headers: IncomingHttpHeaders; body: string }[] = [];
/** Whether the one slow answer was given. */
let slowAnswered = false;

const base = testConfig('gateway');
const database = `trace_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const mongoUri = Object.assign(new URL(base.mongoUri), { pathname: `/${database}` }).toString();
const kafka = createKafkaClient(base);
const GROUPS = Object.values(CONSUMER_GROUPS);

async function jaeger<T>(path: string): Promise<T> {
  const res = await fetch(`${jaegerUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`Jaeger answered ${res.status} to ${path}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The trace ids Jaeger holds for a task, found by its tag as an operator would. */
async function traceIdsOf(taskId: string, service: string): Promise<string[]> {
  const tags = encodeURIComponent(JSON.stringify({ 'tributary.task.id': taskId }));
  const found = await jaeger<{ data: JaegerTrace[] | null }>(
    `/api/traces?service=${service}&tags=${tags}&lookback=1h&limit=50`,
  );
  return [...new Set((found.data ?? []).map((t) => normalizeId(t.traceID)))];
}

/** Waits until the task's trace holds every span `complete` asks for (spans are exported in batches). */
async function traceOf(taskId: string, complete: (trace: Trace) => boolean): Promise<Trace> {
  let last: Trace | undefined;
  try {
    return await waitFor(
      async () => {
        const [id, ...others] = await traceIdsOf(taskId, 'gateway');
        if (id === undefined) return undefined;
        if (others.length > 0)
          throw new Error(`task ${taskId} has several traces: ${[id, ...others].join(', ')}`);
        const { data } = await jaeger<{ data: JaegerTrace[] }>(`/api/traces/${id}`);
        last = new Trace(data[0] as JaegerTrace);
        return complete(last) ? last : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: `the trace of task ${taskId} in Jaeger` },
    );
  } catch (error) {
    const seen = last
      ? last.spans.map((span) => `${last!.service(span)}:${span.operationName}`).join(', ')
      : 'no trace';
    throw new Error(`${(error as Error).message}; last seen: ${seen}`, { cause: error });
  }
}

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${services.url('gateway')}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function submit(request: string, headers: Record<string, string> = {}): Promise<string> {
  const { status, body } = await api<{ taskId: string }>('/v1/tasks', {
    method: 'POST',
    headers,
    body: JSON.stringify({ userId: 'u-alice', request, maxResults: 3, callbackUrl: `${receiverUrl}/hook` }),
  });
  expect(status).toBe(202);
  return body.taskId;
}

async function completed(taskId: string): Promise<void> {
  let last = 'no answer';
  await waitFor(
    async () => {
      const { body } = await api<{ status: string; terminal: boolean; timeline: { type: string }[] }>(
        `/v1/tasks/${taskId}`,
      );
      last = `${body.status}: ${body.timeline.map((e) => e.type).join(' → ')}`;
      if (body.terminal && body.status !== 'completed') throw new Error(`task ${taskId} ended ${last}`);
      return body.terminal;
    },
    { timeoutMs: 120_000, intervalMs: 200, description: `task ${taskId} to complete` },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen ${last}`, { cause: error });
  });
}

beforeAll(async () => {
  // @ts-expect-error plain ESM script without type declarations
  const stack = (await import('../../../scripts/stack.mjs')) as {
    jaegerUp: (options: { quiet: boolean }) => Promise<{ otlpEndpoint: string; uiUrl: string }>;
  };
  ({ otlpEndpoint, uiUrl: jaegerUrl } = await stack.jaegerUp({ quiet: true }));

  await assertGroupsIdle(kafka, GROUPS);
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  for (const group of GROUPS) {
    const topics = [...ALL_TOPICS.map((t) => t.name), retryTopic(group)].filter((t) => existing.has(t));
    if (topics.length > 0) await resetGroupToEnd(kafka, group, topics);
  }

  // @ts-expect-error plain ESM script without type declarations
  const build = (await import('../../../scripts/build.mjs')) as { buildApps: () => Promise<number> };
  await build.buildApps();

  mongo = await connectMongo(mongoUri);
  await loadData({ connection: mongo, tenantId: 'default', ...defaultDataFiles('data'), ifEmpty: false });

  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      webhooks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  simulator = await LlmSimulator.start({
    // Only the research agent's first draft for a slow request (its system prompt names the catalogue
    // candidates) is slow: asked again after a crash, or in a revise round, it is answered at once.
    delayMs: (prompt) => {
      if (slowAnswered || !prompt.includes(SLOW_MARK) || !prompt.includes('catalogue candidates'))
        return FAST_MS;
      slowAnswered = true;
      return SLOW_MS;
    },
  });
  services = new Services({
    TRIBUTARY_MONGO_URI: mongoUri,
    TRIBUTARY_LOG_LEVEL: 'warn',
    TRIBUTARY_LLM_BASE_URL: simulator.baseUrl,
    TRIBUTARY_LLM_API_KEY: 'trace-test',
    TRIBUTARY_LLM_MODEL: 'simulator',
    TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1',
    // A killed member leaves its group within seconds, so its partitions go to its successor soon.
    TRIBUTARY_SESSION_TIMEOUT_MS: '6000',
    TRIBUTARY_HEARTBEAT_INTERVAL_MS: '500',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  for (const name of ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'] as const) {
    await services.start(name);
  }
}, 600_000);

afterAll(async () => {
  await services?.stopAll();
  await simulator?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await mongo?.dropDatabase();
  await mongo?.close();
}, 60_000);

describe('one trace per task in Jaeger', () => {
  it('follows a task from the HTTP request through every service, LLM call, projection write and webhook, in parent/child order', async () => {
    // A client that traces its own call: the task's trace continues the client's.
    const clientTrace = randomBytes(16).toString('hex');
    const taskId = await submit('a gift for a friend who likes hiking', {
      traceparent: `00-${clientTrace}-${randomBytes(8).toString('hex')}-01`,
    });
    await completed(taskId);

    const whole = (t: Trace) =>
      t.find('reviewer-agent', `send ${TOPICS.recommendationReady.name}`).length > 0 &&
      t.find('gateway', 'POST').length > 0 &&
      t.find('gateway', 'projection apply', (s) => t.tag(s, 'tributary.event.type') === 'recommendationReady')
        .length > 0;
    const trace = await traceOf(taskId, whole);

    // One trace id for the whole task, the client's, in every service.
    expect(trace.id).toBe(clientTrace);
    expect([...trace.services()].sort()).toEqual([
      'gateway',
      'planner-agent',
      'research-agent',
      'reviewer-agent',
    ]);
    for (const service of ['planner-agent', 'research-agent', 'reviewer-agent']) {
      expect(await traceIdsOf(taskId, service)).toEqual([clientTrace]);
    }

    // gateway: the HTTP request publishes task.requested.
    const http = trace.one('gateway', 'POST /v1/tasks');
    expect(trace.tag(http, 'http.response.status_code')).toBe(202);
    const requested = trace.one('gateway', `send ${TOPICS.taskRequested.name}`);
    expect(trace.parent(requested)).toBe(http);

    // Each hop: the consumer continues the sender's span; its stage runs under it and sends the next event.
    const hop = (service: string, group: string, stage: string, consumes: JaegerSpan, emits: string) => {
      const processed = trace.consumed(
        service,
        consumes.operationName.replace(/^send /, ''),
        group,
        (s) => trace.parent(s) === consumes,
      );
      expect(trace.tag(processed, 'messaging.system')).toBe('kafka');
      expect(trace.tag(processed, 'messaging.destination.partition.id')).toEqual(expect.any(String));
      expect(trace.tag(processed, 'messaging.kafka.offset')).toEqual(expect.any(Number));
      expect(trace.tag(processed, 'messaging.message.id')).toEqual(expect.any(String));
      expect(trace.tag(processed, 'tributary.delivery.attempt')).toBe(1);
      expect(trace.tag(processed, 'tributary.delivery.outcome')).toBe('handled');
      const step = trace.one(service, `stage ${stage}`, (s) => trace.parent(s) === processed);
      expect(trace.tag(step, 'tributary.stage.outcome')).toBe('completed');
      return trace.one(service, `send ${emits}`, (s) => trace.parent(s) === step);
    };
    const planned = hop(
      'planner-agent',
      CONSUMER_GROUPS.planner,
      'planning',
      requested,
      TOPICS.taskPlanned.name,
    );
    hop('research-agent', CONSUMER_GROUPS.research, 'researching', planned, TOPICS.researchCompleted.name);
    // The last round (after any revise rounds) ends with the public result, sent from the reviewer's stage.
    const ready = trace.one('reviewer-agent', `send ${TOPICS.recommendationReady.name}`);
    const reviewing = trace.parent(ready)!;
    expect(reviewing.operationName).toBe('stage reviewing');
    const reviewed = trace.parent(reviewing)!;
    expect(reviewed.operationName).toBe(`process ${TOPICS.researchCompleted.name}`);
    expect(trace.parent(trace.parent(reviewed)!)?.operationName).toBe('stage researching');

    // Every stage asked the model once (through the simulator), and its span says what it cost.
    const stages = trace.spans.filter((s) => s.operationName.startsWith('stage '));
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) {
      const llm = trace.one(trace.service(stage), 'chat simulator', (s) => trace.parent(s) === stage);
      expect(trace.tag(llm, 'gen_ai.operation.name')).toBe('chat');
      expect(trace.tag(llm, 'gen_ai.provider.name')).toBe('openai');
      expect(trace.tag(llm, 'gen_ai.response.finish_reasons')).toEqual(expect.stringContaining('stop'));
      expect(trace.tag(llm, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
      expect(trace.tag(llm, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
      expect(trace.tag(llm, 'tributary.llm.journal_hit')).toBe(false);
    }
    const sent = ready;

    // gateway: the projection applies the result; the webhook goes out, carrying the trace on.
    const apply = trace.one(
      'gateway',
      'projection apply',
      (s) => trace.tag(s, 'tributary.event.type') === 'recommendationReady',
    );
    expect(trace.parent(apply)).toBe(
      trace.consumed('gateway', TOPICS.recommendationReady.name, CONSUMER_GROUPS.projection),
    );
    expect(trace.parent(trace.parent(apply)!)).toBe(sent);
    const webhook = trace.one(
      'gateway',
      'POST',
      (s) => trace.tag(s, 'tributary.webhook.outcome') === 'delivered',
    );
    expect(trace.tag(trace.parent(webhook)!, 'messaging.consumer.group.name')).toBe(CONSUMER_GROUPS.webhooks);
    const received = webhooks.find((w) => w.body.includes(taskId));
    expect(received?.headers.traceparent).toMatch(
      new RegExp(`^00-${clientTrace}-${webhook.spanID.padStart(16, '0')}-`),
    );
  });

  it('joins a stage redelivered after its agent was killed mid-task to the same trace', async () => {
    const taskId = await submit(`a book to read ${SLOW_MARK}, for a long trip`);
    await waitFor(
      () => simulator.received.get('recommendation_draft') !== undefined && simulator.inFlight.size > 0,
      {
        timeoutMs: 60_000,
        intervalMs: 50,
        description: 'the research agent to be waiting for its draft',
      },
    );
    await services.kill('research-agent');
    await services.start('research-agent');
    await completed(taskId);

    const trace = await traceOf(
      taskId,
      (t) =>
        t.find(
          'research-agent',
          `stage researching`,
          (s) => t.tag(s, 'tributary.stage.outcome') === 'completed',
        ).length > 0 && t.find('reviewer-agent', `send ${TOPICS.recommendationReady.name}`).length > 0,
    );
    expect(await traceIdsOf(taskId, 'research-agent')).toEqual([trace.id]);
    const planned = trace.one('planner-agent', `send ${TOPICS.taskPlanned.name}`);
    // The stage that finished ran on a delivery the killed agent may have had: marked as not the first.
    const redelivered = trace.consumed(
      'research-agent',
      TOPICS.taskPlanned.name,
      CONSUMER_GROUPS.research,
      (s) =>
        trace.tag(s, 'tributary.delivery.first') === false &&
        trace.tag(s, 'tributary.delivery.outcome') === 'handled',
    );
    expect(trace.parent(redelivered)).toBe(planned);
    // (Revise rounds run the stage again, on review.completed: the first round is the one on task.planned.)
    const stage = trace.one(
      'research-agent',
      'stage researching',
      (s) => trace.parent(s) === redelivered && trace.tag(s, 'tributary.stage.outcome') === 'completed',
    );
    expect(trace.parent(stage)).toBe(redelivered);
    expect(trace.tag(stage, 'tributary.delivery.first')).toBe(false);
    expect(trace.find('research-agent', 'chat simulator', (s) => trace.parent(s) === stage)).toHaveLength(1);
  }, 300_000);
});

import { type Kafka, Kafka as KafkaClient, logLevel, Partitioners, type Producer } from 'kafkajs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedEventId, TOPICS } from '@tributary/contracts';
import { EVENT_SERIALIZER, type EventSerializer, KAFKA_CLIENT, readRange } from '@tributary/kafka';
import { type FaultProxy, startFaultProxy, testConfig, uniqueName } from '@tributary/testing';
import { InFlightRepository } from '../../../apps/gateway/src/submission/in-flight.repository';
import { SUBMISSION_ROOT_KEY } from '../../../apps/gateway/src/submission/submit-task.usecase';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * A publish whose acknowledgement does not come: the gateway's producer reaches the real broker
 * through a fault proxy, which the test freezes, so a produce request is held on the way (and lands
 * once the proxy lets it through). The gateway must answer that the outcome is unknown, keep the task,
 * and complete it when the client retries with the same Idempotency-Key, publishing the same event id
 * again rather than a second task.requested. The projection is off, so a retry always publishes again.
 */

const PUBLISH_TIMEOUT_MS = 2_000;

let proxy: FaultProxy;
let producer: Producer;
let gateway: Gateway;
const started = new Date();

beforeAll(async () => {
  const config = testConfig('gateway');
  const [host, port] = (config.kafka.brokers[0] ?? '127.0.0.1:9092').split(':');
  proxy = await startFaultProxy({ host: host ?? '127.0.0.1', port: Number(port) });
  // Every connection of this client (bootstrap and the broker it learns of) goes through the proxy.
  const proxied = new KafkaClient({
    clientId: uniqueName('gateway-proxied'),
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
    socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
  });
  producer = proxied.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  gateway = await startGateway(
    { publishTimeoutMs: PUBLISH_TIMEOUT_MS, projection: { enabled: false } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
      TRIBUTARY_RATE_LIMIT_BURST: '1000',
      TRIBUTARY_MAX_IN_FLIGHT_TASKS: '5',
    },
    { kafkaProducer: producer },
  );
});

afterAll(async () => {
  proxy?.restore();
  await gateway?.close();
  await proxy?.close();
});

async function tenantWithUser() {
  const tenant = `pub${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const key = await gateway.createApiKey(tenant, ['submit', 'read']);
  const user = await gateway.newUser(tenant);
  const submit = (headers: Record<string, string> = {}) =>
    postJson(
      gateway,
      '/v1/tasks',
      { userId: user, request: 'a sci-fi novel' },
      { authorization: `Bearer ${key}`, ...headers },
    );
  const read = (path: string) => gateway.fetch(path, { headers: { authorization: `Bearer ${key}` } });
  return { tenant: tenantId(tenant), submit, read };
}

/** The task.requested records of a task on the topic since the test started: their event ids. */
async function requestedEventIds(taskId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of readRange({
    kafka: gateway.app.get<Kafka>(KAFKA_CLIENT),
    serializer: gateway.app.get<EventSerializer>(EVENT_SERIALIZER),
    topic: TOPICS.taskRequested,
    fromTime: started,
    keys: new Set([taskId]),
  })) {
    if (record.envelope) ids.push(record.envelope.eventId);
  }
  return ids;
}

interface Problem {
  type: string;
  status: number;
  taskId?: string;
}

describe('a publish whose outcome is unknown', () => {
  it('answers 503 outcome-unknown with the task id and keeps the task; a retry with the same Idempotency-Key publishes the same event id and answers with that task', async () => {
    const { tenant, submit, read } = await tenantWithUser();
    const headers = { 'idempotency-key': `unknown-${Date.now()}` };

    proxy.freeze();
    let first: Response;
    try {
      first = await submit(headers);
    } finally {
      proxy.restore();
    }
    expect(first.status).toBe(503);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = (await first.json()) as Problem;
    expect(problem.type).toBe('urn:tributary:problem:outcome-unknown');
    const taskId = problem.taskId!;
    expect(taskId).toMatch(/^tsk_/);
    // The task is kept with its in-flight slot: its event may land.
    expect((await read(`/v1/tasks/${taskId}`)).status).toBe(200);
    const inFlight = gateway.app.get(InFlightRepository);
    expect(await inFlight.count(tenant)).toBe(1);

    const retry = await submit(headers);
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { taskId: string }).taskId).toBe(taskId);
    expect(await inFlight.count(tenant)).toBe(1);

    // The held request got through, then the retry's: two records, one event id, which consumers
    // deduplicate (the projection, the webhooks and in-flight groups, the agents' derived ids).
    const ids = await requestedEventIds(taskId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids)).toEqual(
      new Set([derivedEventId(`root:${taskId}`, TOPICS.taskRequested.name, SUBMISSION_ROOT_KEY)]),
    );
  });

  it('without an Idempotency-Key, answers 503 outcome-unknown with the task id, and the task runs when the held event lands', async () => {
    const { submit, read } = await tenantWithUser();
    proxy.freeze();
    let first: Response;
    try {
      first = await submit();
    } finally {
      proxy.restore();
    }
    expect(first.status).toBe(503);
    const problem = (await first.json()) as Problem;
    expect(problem.type).toBe('urn:tributary:problem:outcome-unknown');
    const taskId = problem.taskId!;
    expect((await read(`/v1/tasks/${taskId}`)).status).toBe(200);
    // Once the held request got through (the next submission's publish waits behind it), the event is there.
    expect((await submit()).status).toBe(202);
    expect(await requestedEventIds(taskId)).toEqual([
      derivedEventId(`root:${taskId}`, TOPICS.taskRequested.name, SUBMISSION_ROOT_KEY),
    ]);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy, testConfig, waitFor } from '@tributary/testing';
import { DEFAULT_GATEWAY_OPTIONS } from '../../../apps/gateway/src/config/gateway.options';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * The gateway's answers while the store is out: a fault proxy in front of the real MongoDB-wire
 * server is frozen (connections stay open, nothing answers) or cut (connections reset, new ones
 * refused). Every request must get a 503 problem with Retry-After in a bounded time (never a 500,
 * never a hang), and submissions must succeed again once the store is back.
 */

/** Far above the gateway's per-operation limit (1.5 s), far below a hang. */
const ANSWER_WITHIN_MS = 5_000;

let proxy: FaultProxy;
let gateway: Gateway;
let key: string;
let user: string;
let existingTask: string;

beforeAll(async () => {
  const store = new URL(testConfig('gateway').mongoUri);
  proxy = await startFaultProxy({ host: store.hostname, port: Number(store.port || 27017) });
  const proxied = new URL(store);
  proxied.host = proxy.address;
  proxied.pathname = `/gateway_outage_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  gateway = await startGateway(
    { storeTimeoutMs: DEFAULT_GATEWAY_OPTIONS.storeTimeoutMs },
    {
      TRIBUTARY_MONGO_URI: proxied.toString(),
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
      TRIBUTARY_RATE_LIMIT_BURST: '1000',
    },
  );
  key = await gateway.createApiKey('outage', ['submit', 'read']);
  user = await gateway.newUser('outage');
  const accepted = await submit();
  expect(accepted.status).toBe(202);
  existingTask = ((await accepted.json()) as { taskId: string }).taskId;
});

afterAll(async () => {
  proxy?.restore();
  await gateway?.mongo.dropDatabase().catch(() => undefined);
  await gateway?.close();
  await proxy?.close();
});

function submit(idempotencyKey?: string, apiKey = key): Promise<Response> {
  return postJson(
    gateway,
    '/v1/tasks',
    { userId: user, request: 'a sci-fi novel' },
    {
      authorization: `Bearer ${apiKey}`,
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
  );
}

function read(path: string): Promise<Response> {
  return gateway.fetch(path, { headers: { authorization: `Bearer ${key}` } });
}

interface Timed {
  readonly label: string;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  readonly type: string | undefined;
  readonly ms: number;
}

async function timed(label: string, request: () => Promise<Response>): Promise<Timed> {
  const started = performance.now();
  const response = await request();
  const ms = performance.now() - started;
  const body = (await response.json().catch(() => ({}))) as { type?: string };
  return {
    label,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    type: body.type,
    ms,
  };
}

/**
 * Submissions (without an idempotency key, with one not seen before twice, with an API key the
 * gateway has not checked yet) and reads, all at once.
 */
function duringOutage(unseenApiKey: string): Promise<Timed[]> {
  const fresh = `outage-${randomBytes(4).toString('hex')}`;
  return Promise.all([
    timed('submit', () => submit()),
    timed('submit with an API key not checked yet', () => submit(undefined, unseenApiKey)),
    timed('submit with key', () => submit(fresh)),
    timed('submit with key again', () => submit(fresh)),
    timed('read task', () => read(`/v1/tasks/${existingTask}`)),
    timed('list tasks', () => read(`/v1/tasks?userId=${user}`)),
    timed('read deliveries', () => read(`/v1/tasks/${existingTask}/deliveries`)),
  ]);
}

function expectUnavailable(answers: readonly Timed[]): void {
  for (const answer of answers) {
    expect({ label: answer.label, status: answer.status }).toEqual({ label: answer.label, status: 503 });
    expect(Number(answer.retryAfter), answer.label).toBeGreaterThan(0);
    expect(answer.contentType, answer.label).toContain('application/problem+json');
    expect(answer.type, answer.label).toBe('urn:tributary:problem:unavailable');
    expect(answer.ms, answer.label).toBeLessThan(ANSWER_WITHIN_MS);
  }
}

async function expectServedAgain(): Promise<void> {
  const accepted = await waitFor(
    async () => {
      const response = await submit(`after-${randomBytes(4).toString('hex')}`);
      return response.status === 202 ? response : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'a submission to be accepted again' },
  );
  const { taskId } = (await accepted.json()) as { taskId: string };
  expect((await read(`/v1/tasks/${taskId}`)).status).toBe(200);
  expect((await read(`/v1/tasks/${existingTask}`)).status).toBe(200);
}

describe('store outage', () => {
  it('answers 503 with Retry-After in bounded time while the store is frozen, and serves again once it answers', async () => {
    const unseen = await gateway.createApiKey('outage', ['submit']);
    proxy.freeze();
    try {
      expectUnavailable(await duringOutage(unseen));
      // A client that retries at once meets the same store: the same fast answer, not a hang.
      expectUnavailable(await duringOutage(unseen));
    } finally {
      proxy.restore();
    }
    await expectServedAgain();
  });

  it('answers 503 with Retry-After in bounded time while the store refuses connections, and serves again once it is back', async () => {
    const unseen = await gateway.createApiKey('outage', ['submit']);
    proxy.cut();
    try {
      expectUnavailable(await duringOutage(unseen));
      expectUnavailable(await duringOutage(unseen));
    } finally {
      proxy.restore();
    }
    await expectServedAgain();
  });
});

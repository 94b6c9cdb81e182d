import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { sample } from './events';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * One tenant's slow endpoint cannot hold every webhook slot: with 4 slots and a share of 2 per
 * tenant, a tenant whose receiver never answers holds 2 sends; the rest of its webhooks wait in the
 * retry topic, and another tenant's webhook goes out meanwhile.
 */

/** A receiver that holds every request open until released (a slow endpoint), or answers at once. */
class Receiver {
  readonly open: ServerResponse[] = [];
  received = 0;
  closedEarly = 0;
  private server!: Server;
  url = '';

  constructor(private readonly hold: boolean) {}

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      request.on('end', () => {
        this.received += 1;
        if (!this.hold) {
          response.end('ok');
          return;
        }
        this.open.push(response);
        response.on('close', () => {
          if (!response.writableEnded) this.closedEarly += 1;
        });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  release(): void {
    for (const response of this.open.splice(0)) response.end('ok');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SLOTS = 4;
const SHARE = 2;
let gateway: Gateway;
const slow = new Receiver(true);
const fast = new Receiver(false);

beforeAll(async () => {
  await slow.start();
  await fast.start();
  gateway = await startGateway(
    { webhooks: { enabled: true } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
      TRIBUTARY_RATE_LIMIT_BURST: '1000',
      TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1',
      TRIBUTARY_WEBHOOK_CONCURRENCY: String(SLOTS),
      TRIBUTARY_WEBHOOK_TENANT_CONCURRENCY: String(SHARE),
      // Longer than the test waits for the other tenant: a send of the slow tenant never ends by timeout.
      TRIBUTARY_WEBHOOK_TIMEOUT_MS: '110000',
      TRIBUTARY_WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      TRIBUTARY_WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
    },
  );
});

afterAll(async () => {
  await gateway?.close();
  slow.release();
  await slow.stop();
  await fast.stop();
});

async function submitAndEnd(tenant: string, key: string, callbackUrl: string): Promise<string> {
  const userId = await gateway.newUser(tenant);
  const response = await postJson(
    gateway,
    '/v1/tasks',
    { userId, request: 'hiking boots', callbackUrl },
    { authorization: `Bearer ${key}` },
  );
  expect(response.status).toBe(202);
  const { taskId } = (await response.json()) as { taskId: string };
  await gateway.emit(TOPICS.recommendationReady, {
    ...sample(TOPICS.recommendationReady, taskId),
    tenantId: tenant,
  });
  return taskId;
}

async function deliveryState(taskId: string, key: string): Promise<string> {
  const response = await gateway.fetch(`/v1/tasks/${taskId}/deliveries`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { state: string }).state;
}

describe('webhook fairness', () => {
  it("delivers a tenant's webhook while another tenant's slow endpoint holds only its share of the slots", async () => {
    const suffix = Date.now().toString(36);
    const busy = `busy${suffix}`;
    const other = `other${suffix}`;
    const busyKey = await gateway.createApiKey(busy, ['submit', 'read']);
    const otherKey = await gateway.createApiKey(other, ['submit', 'read']);

    const busyTasks: string[] = [];
    for (let i = 0; i < SLOTS + 2; i += 1) busyTasks.push(await submitAndEnd(busy, busyKey, slow.url));
    await waitFor(() => slow.open.length === SHARE, {
      timeoutMs: 30_000,
      description: `the slow endpoint to hold ${SHARE} requests`,
    });

    const otherTask = await submitAndEnd(other, otherKey, fast.url);
    await waitFor(async () => (await deliveryState(otherTask, otherKey)) === 'delivered', {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: "the other tenant's webhook to be delivered",
    });
    // Delivered while the slow tenant's sends were still held, none of them ended by a timeout, and
    // the slow tenant never had more than its share in flight.
    expect(slow.closedEarly).toBe(0);
    expect(slow.open.length).toBe(SHARE);
    expect(slow.received).toBe(SHARE);

    // Nothing of the slow tenant is lost: once its endpoint answers, every webhook goes out.
    slow.release();
    const releaseAsTheyCome = setInterval(() => slow.release(), 50);
    try {
      for (const taskId of busyTasks) {
        await waitFor(async () => (await deliveryState(taskId, busyKey)) === 'delivered', {
          timeoutMs: 60_000,
          intervalMs: 200,
          description: `the slow tenant's webhook of ${taskId} to be delivered`,
        });
      }
    } finally {
      clearInterval(releaseAsTheyCome);
    }
  });
});

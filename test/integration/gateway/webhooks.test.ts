import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { WebhookConsumer } from '../../../apps/gateway/src/webhooks/webhook.consumer';
import { sample } from './events';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * Webhooks end to end: the gateway's webhooks consumer sees a task end on Kafka, POSTs to the
 * task's callback URL signed per Standard Webhooks, retries through the group's retry topic while
 * the receiver answers 500, and lists every attempt. The receiver checks each signature with the
 * `standardwebhooks` package, an implementation independent of the gateway's.
 */

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly verified: boolean;
}

class Receiver {
  readonly received: Received[] = [];
  /** Status to answer per attempt (1-based); 200 after the list. */
  answers: number[] = [];
  secret = '';
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let verified: boolean;
        try {
          new Webhook(this.secret).verify(body, request.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
        this.received.push({ headers: request.headers, body, verified });
        response.statusCode = this.answers[this.received.length - 1] ?? 200;
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let gateway: Gateway;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  gateway = await startGateway(
    { webhooks: { enabled: true } },
    {
      TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1',
      TRIBUTARY_WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      TRIBUTARY_WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
      TRIBUTARY_WEBHOOK_TIMEOUT_MS: '2000',
    },
  );
  // Auth is off on this gateway (loopback): the caller is tenant `default` with every scope.
  const endpoint = (await (await gateway.fetch('/v1/webhook-endpoint')).json()) as { secret: string };
  receiver.secret = endpoint.secret;
});

afterAll(async () => {
  await gateway?.close();
  await receiver.stop();
});

interface DeliveriesJson {
  webhookId: string | null;
  type: string | null;
  state: string;
  gaveUp: string | null;
  attempts: { attempt: number; status: number | null; outcome: string; error: string | null }[];
}

async function deliveries(taskId: string): Promise<DeliveriesJson> {
  const response = await gateway.fetch(`/v1/tasks/${taskId}/deliveries`);
  expect(response.status).toBe(200);
  return (await response.json()) as DeliveriesJson;
}

async function submitWithCallback(callbackUrl: string): Promise<string> {
  const user = await gateway.newUser();
  const response = await postJson(gateway, '/v1/tasks', {
    userId: user,
    request: 'hiking boots',
    callbackUrl,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { taskId: string }).taskId;
}

describe('webhooks', () => {
  it('signs per Standard Webhooks, retries with backoff while the receiver answers 500, and lists every attempt', async () => {
    receiver.answers = [500, 500, 200];
    const before = receiver.received.length;
    const taskId = await submitWithCallback(receiver.url);
    await gateway.emit(TOPICS.recommendationReady, sample(TOPICS.recommendationReady, taskId));

    const final = await waitFor(
      async () => {
        const d = await deliveries(taskId);
        return d.state === 'delivered' ? d : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'the webhook to be delivered on the third attempt' },
    );
    const mine = receiver.received.slice(before);
    expect(mine).toHaveLength(3);
    expect(mine.every((r) => r.verified)).toBe(true);
    // Every attempt is the same message: same id, same body.
    expect(new Set(mine.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(mine.map((r) => r.body)).size).toBe(1);
    const body = JSON.parse(mine[0]!.body) as { type: string; data: { taskId: string; status: string } };
    expect(body).toMatchObject({ type: 'task.completed', data: { taskId, status: 'completed' } });
    expect(final).toMatchObject({ webhookId: mine[0]!.headers['webhook-id'], type: 'task.completed' });
    expect(final.attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 500, 'failed'],
      [3, 200, 'delivered'],
    ]);
    // A forged signature would not pass the receiver's check (the check can fail).
    expect(() =>
      new Webhook(receiver.secret).verify(
        mine[0]!.body.replace('completed', 'failed'),
        mine[0]!.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it('sends one webhook per task, for the terminal event that won, and none for a cancel after completion', async () => {
    receiver.answers = [];
    const before = receiver.received.length;
    const taskId = await submitWithCallback(receiver.url);
    await gateway.emit(TOPICS.taskFailed, sample(TOPICS.taskFailed, taskId));
    await waitFor(async () => (await deliveries(taskId)).state === 'delivered', {
      timeoutMs: 20_000,
      description: 'the failure webhook',
    });
    // Later terminal events (a cancel, another failure) send nothing more: wait until the
    // webhooks consumer has handled both, then count.
    const consumer = gateway.app.get(WebhookConsumer).consumer;
    const handled = consumer.metrics().handled;
    await gateway.emit(TOPICS.taskCancelRequested, sample(TOPICS.taskCancelRequested, taskId));
    await gateway.emit(TOPICS.taskFailed, sample(TOPICS.taskFailed, taskId));
    await waitFor(() => consumer.metrics().handled >= handled + 2, {
      timeoutMs: 20_000,
      description: 'the webhooks consumer to handle the later terminal events',
    });
    const mine = receiver.received.slice(before).filter((r) => r.body.includes(taskId));
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0]!.body)).toMatchObject({ type: 'task.failed' });
    expect((await deliveries(taskId)).attempts).toHaveLength(1);
  });

  it('refuses loopback, private and link-local targets that are not allow-listed, without retrying', async () => {
    for (const url of [
      'http://127.0.0.2:9/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest',
      'http://[::1]:9/',
    ]) {
      const taskId = await submitWithCallback(url);
      await gateway.emit(TOPICS.taskFailed, sample(TOPICS.taskFailed, taskId));
      const final = await waitFor(
        async () => {
          const d = await deliveries(taskId);
          return d.state === 'failed' ? d : undefined;
        },
        { timeoutMs: 20_000, description: `the webhook to ${url} to be refused` },
      );
      expect(final.attempts, url).toHaveLength(1);
      expect(final.attempts[0]).toMatchObject({ outcome: 'refused', status: null });
      expect(final.gaveUp).toContain('refused');
    }
  });

  it('lists no deliveries for a task that has not ended, and 404 for an unknown task', async () => {
    const taskId = await submitWithCallback(receiver.url);
    expect(await deliveries(taskId)).toMatchObject({ state: 'none', attempts: [] });
    expect((await gateway.fetch('/v1/tasks/tsk_00000000000000000000000000/deliveries')).status).toBe(404);
  });
});

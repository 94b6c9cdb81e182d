import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopic, TOPICS } from '@tributary/contracts';
import {
  EVENT_SERIALIZER,
  type EventSerializer,
  KAFKA_CLIENT,
  type ParallelConsumer,
  readRanges,
} from '@tributary/kafka';
import { type Kafka } from 'kafkajs';
import { connectMongo, isTransient } from '@tributary/platform';
import { type FaultProxy, startFaultProxy, testConfig, waitFor } from '@tributary/testing';
import { ProjectionConsumer } from '../../../apps/gateway/src/read-model/projection/projection.consumer';
import { InFlightConsumer } from '../../../apps/gateway/src/submission/in-flight.consumer';
import { InFlightRepository } from '../../../apps/gateway/src/submission/in-flight.repository';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { webhookIdOf } from '../../../apps/gateway/src/webhooks/webhook-payload';
import { WebhookConsumer } from '../../../apps/gateway/src/webhooks/webhook.consumer';
import { sample } from './events';
import {
  type Gateway,
  postJson,
  startGateway,
  TEST_IN_FLIGHT_GROUP,
  TEST_PROJECTION_GROUP,
  TEST_WEBHOOKS_GROUP,
} from './harness';

/**
 * The store stops answering (a TCP proxy in front of the real FerretDB, frozen) while tasks end. The
 * gateway's store-bound consumer groups (projection, in-flight admission, webhooks) must wait for it
 * rather than spend their retry budget and dead-letter the events: once it answers again, every task
 * is ended in the read model, its in-flight slot is free and its webhook is delivered.
 */

const base = testConfig('gateway');
const store = new URL(base.mongoUri);
const database = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** Records the webhooks it receives and answers 200. */
class Receiver {
  readonly ids: string[] = [];
  url = '';
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        this.ids.push(String(request.headers['webhook-id']));
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

let proxy: FaultProxy;
let gateway: Gateway | undefined;
const receiver = new Receiver();

beforeAll(async () => {
  proxy = await startFaultProxy({ host: store.hostname, port: Number(store.port || 27017) });
  await receiver.start();
});

afterAll(async () => {
  proxy.restore();
  // Started on a URI of its own, the gateway leaves its database to the test.
  await gateway?.mongo.dropDatabase().catch(() => undefined);
  await gateway?.close();
  await receiver.stop();
  await proxy.close();
});

describe('a store outage', () => {
  it(
    'fails store operations with a transient error within seconds instead of hanging, and the next one after it answers again succeeds',
    async () => {
      const uri = new URL(base.mongoUri);
      uri.host = proxy.address;
      uri.pathname = `/${database('store_outage')}`;
      // The configuration's defaults: the driver's own would hang a frozen findOne for 40 s and more.
      const mongo = await connectMongo(uri.toString(), base.mongoTimeouts);
      try {
        const things = mongo.collection<{ _id: string }>('things');
        await things.insertOne({ _id: 'before' });
        proxy.freeze();
        const failures = await Promise.all([
          things.findOne({ _id: 'before' }).then(
            () => undefined,
            (error: unknown) => error,
          ),
          things.insertOne({ _id: 'during' }).then(
            () => undefined,
            (error: unknown) => error,
          ),
        ]);
        for (const failure of failures) expect(isTransient(failure), String(failure)).toBe(true);
        proxy.restore();
        expect(await things.findOne({ _id: 'before' })).toEqual({ _id: 'before' });
        await mongo.dropDatabase();
      } finally {
        proxy.restore();
        await mongo.close(true);
      }
    },
    // The test's own limit: an operation that hung as long as the driver's defaults allow fails it.
    30_000,
  );

  it('longer than the retry budget dead-letters nothing: every task ends in the read model, in-flight slots free up, webhooks are delivered', async () => {
    const uri = new URL(base.mongoUri);
    uri.host = proxy.address;
    uri.pathname = `/${database('gateway_outage')}`;
    gateway = await startGateway(
      { inFlight: { enabled: true }, webhooks: { enabled: true } },
      {
        TRIBUTARY_MONGO_URI: uri.toString(),
        TRIBUTARY_AUTH: 'required',
        TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
        TRIBUTARY_RATE_LIMIT_BURST: '1000',
        // The store fails each operation within about a second, so an event would run through the
        // default retry budget (4 attempts, at most 3.5 s of backoff) well within the outage.
        TRIBUTARY_MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000',
        TRIBUTARY_MONGO_CONNECT_TIMEOUT_MS: '1000',
        TRIBUTARY_MONGO_HEARTBEAT_MS: '500',
        TRIBUTARY_MAX_ATTEMPTS: '4',
        TRIBUTARY_RETRY_BASE_DELAY_MS: '500',
        TRIBUTARY_RETRY_MAX_DELAY_MS: '60000',
        // A held message looks again at least every second: the test need not wait long after the outage.
        TRIBUTARY_HOLD_BASE_DELAY_MS: '200',
        TRIBUTARY_HOLD_MAX_DELAY_MS: '1000',
        TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1',
        TRIBUTARY_WEBHOOK_RETRY_BASE_DELAY_MS: '200',
        TRIBUTARY_WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
      },
    );
    const g = gateway;
    const groups: [string, ParallelConsumer][] = [
      [TEST_PROJECTION_GROUP, g.app.get(ProjectionConsumer).consumer],
      [TEST_IN_FLIGHT_GROUP, g.app.get(InFlightConsumer).consumer],
      [TEST_WEBHOOKS_GROUP, g.app.get(WebhookConsumer).consumer],
    ];
    /** Dead letters of these tasks in the three groups' dead-letter topics. */
    const deadLettersOf = async (keys: readonly string[]): Promise<string[]> => {
      const found: string[] = [];
      for await (const batch of readRanges({
        kafka: g.app.get<Kafka>(KAFKA_CLIENT),
        serializer: g.app.get<EventSerializer>(EVENT_SERIALIZER),
        // Dead letters keep their origin's bytes; only their keys matter here.
        topics: groups.map(([group]) => ({ ...TOPICS.taskFailed, name: deadLetterTopic(group) })),
        keys: new Set(keys),
      }))
        for (const record of batch.records) found.push(`${record.topic}: ${record.key}`);
      return found;
    };

    const tenant = `outage${Date.now().toString(36)}`;
    const key = await g.createApiKey(tenant, ['submit', 'read']);
    const user = await g.newUser(tenant);
    const auth = { authorization: `Bearer ${key}` };
    const taskIds: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await postJson(
        g,
        '/v1/tasks',
        { userId: user, request: 'trail running shoes', callbackUrl: receiver.url },
        auth,
      );
      expect(response.status).toBe(202);
      taskIds.push(((await response.json()) as { taskId: string }).taskId);
    }
    const inFlight = g.app.get(InFlightRepository);
    expect(await inFlight.count(tenantId(tenant))).toBe(6);
    const status = async (taskId: string) => {
      const response = await g.fetch(`/v1/tasks/${taskId}`, { headers: auth });
      return response.status === 200
        ? ((await response.json()) as { terminal: boolean; status: string })
        : undefined;
    };
    await waitFor(async () => (await Promise.all(taskIds.map(status))).every((t) => t !== undefined), {
      description: 'every task in the read model',
    });

    proxy.freeze();
    const frozenAt = Date.now();
    // Half the tasks complete, half fail, while the store does not answer.
    for (const [i, taskId] of taskIds.entries()) {
      if (i % 2 === 0)
        await g.emit(TOPICS.recommendationReady, {
          ...sample(TOPICS.recommendationReady, taskId),
          tenantId: tenant,
        });
      else await g.emit(TOPICS.taskFailed, { ...sample(TOPICS.taskFailed, taskId), tenantId: tenant });
    }
    // The outage lasts 12 s: more than three times what the default budget takes to dead-letter
    // an event whose every attempt fails within a second. Each group is waiting for the store.
    await waitFor(
      () => Date.now() - frozenAt >= 12_000 && groups.every(([, consumer]) => consumer.metrics().held > 0),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        description: 'each store-bound group holding through a 12 s outage',
      },
    );
    proxy.restore();

    const ended = await waitFor(
      async () => {
        const tasks = await Promise.all(taskIds.map(status));
        return tasks.every((t) => t?.terminal) ? tasks : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'every task ended in the read model' },
    );
    expect(ended.map((t) => t?.status)).toEqual(
      taskIds.map((_, i) => (i % 2 === 0 ? 'completed' : 'failed')),
    );
    await waitFor(async () => (await inFlight.count(tenantId(tenant))) === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "the tenant's in-flight slots all free",
    });
    await waitFor(() => taskIds.every((taskId) => receiver.ids.includes(webhookIdOf(taskId))), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'a webhook delivered for every task',
    });
    // Other events of the topics (other tests' tasks) may still sit out their last wait in place.
    await waitFor(() => groups.every(([, consumer]) => consumer.metrics().held === 0), {
      timeoutMs: 30_000,
      description: 'no message held in place any more',
    });
    expect(await deadLettersOf(taskIds)).toEqual([]);
  });
});

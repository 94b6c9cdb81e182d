import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Kafka, type Producer } from 'kafkajs';
import { type Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { storedId } from '@tributary/catalogue';
import {
  ALL_TOPICS,
  type Envelope,
  envelopeToHeaders,
  type EventValue,
  retryTopic,
  deadLetterTopic,
  type TopicDefinition,
} from '@tributary/contracts';
import {
  type EmitOptions,
  EVENT_SERIALIZER,
  type EventSerializer,
  EventProducer,
  KAFKA_CLIENT,
  KafkaAdmin,
} from '@tributary/kafka';
import { MONGO_CONNECTION } from '@tributary/platform';
import { RecordingLogger, resetGroupToEnd, testConfig, uniqueName, waitFor } from '@tributary/testing';
import { mintApiKey } from '../../../apps/gateway/src/auth/api-key';
import { ApiKeyRepository } from '../../../apps/gateway/src/auth/api-key.repository';
import { type Scope } from '../../../apps/gateway/src/auth/scopes';
import { createGatewayApp } from '../../../apps/gateway/src/bootstrap';
import { type GatewayOptionsOverrides } from '../../../apps/gateway/src/config/gateway.options';
import { DeadlineConsumer } from '../../../apps/gateway/src/deadlines/deadline.consumer';
import { ProjectionConsumer } from '../../../apps/gateway/src/read-model/projection/projection.consumer';
import { InFlightConsumer } from '../../../apps/gateway/src/submission/in-flight.consumer';
import { WebhookConsumer } from '../../../apps/gateway/src/webhooks/webhook.consumer';

/**
 * One consumer group for every gateway test run: reset to the topics' ends before each start, so
 * a test's projection sees exactly the events produced after it started, without replaying the
 * history of earlier runs and without leaving a new pair of retry/dead-letter topics per run.
 */
export const TEST_PROJECTION_GROUP = testGroup('test-gateway-projection');
/** Likewise for the webhook, in-flight and deadline consumers, which are off unless a test turns them on. */
export const TEST_WEBHOOKS_GROUP = testGroup('test-gateway-webhooks');
export const TEST_IN_FLIGHT_GROUP = testGroup('test-gateway-in-flight');
export const TEST_DEADLINES_GROUP = testGroup('test-gateway-deadlines');

/**
 * `TRIBUTARY_TEST_GROUP_SUFFIX` gives two checkouts that test against one stack at the same time
 * groups of their own (otherwise each would take part of the other's partitions).
 */
export function testGroup(name: string): string {
  const suffix = process.env.TRIBUTARY_TEST_GROUP_SUFFIX;
  return suffix ? `${name}-${suffix}` : name;
}

export interface Gateway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly mongo: Connection;
  /** The URI of this gateway's database (its own unless `env.TRIBUTARY_MONGO_URI` named another's). */
  readonly mongoUri: string;
  readonly producer: EventProducer;
  readonly logger: RecordingLogger;
  readonly tenant: string;
  /** A user id unique to this run, with a profile in user_profiles (of `tenant`, default `default`). */
  newUser(tenant?: string): Promise<string>;
  /** Creates an API key in this gateway's database; resolves with the key to send as a bearer token. */
  createApiKey(tenant: string, scopes: readonly Scope[]): Promise<string>;
  /** Publishes an event (as a reaction to `options.causedBy`, as agents do); resolves with its envelope. */
  emit<T extends TopicDefinition>(topic: T, value: EventValue<T>, options?: EmitOptions): Promise<Envelope>;
  /** Publishes the same event again (same envelope, same event id): a redelivery as the projection sees it. */
  resend<T extends TopicDefinition>(topic: T, value: EventValue<T>, envelope: Envelope): Promise<void>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A gateway in this process on port 0, with a database of its own. `env` adds configuration
 * variables (`TRIBUTARY_AUTH: 'required'`, webhook settings); the webhook, in-flight and deadline
 * consumers run only when `overrides` enables them, with test groups reset to the topics' ends.
 * `kafkaProducer` replaces the kafkajs producer of the gateway's events (one through a fault proxy).
 */
export async function startGateway(
  overrides: GatewayOptionsOverrides = {},
  env: Record<string, string> = {},
  { kafkaProducer }: { kafkaProducer?: Producer } = {},
): Promise<Gateway> {
  const base = testConfig('gateway');
  const database = `gateway_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const mongoUri = new URL(base.mongoUri);
  mongoUri.pathname = `/${database}`;
  const config = testConfig('gateway', {
    TRIBUTARY_MONGO_URI: mongoUri.toString(),
    TRIBUTARY_KAFKA_CLIENT_ID: uniqueName('gateway'),
    ...env,
  });
  const logger = new RecordingLogger();
  const group = overrides.projection?.group ?? TEST_PROJECTION_GROUP;
  const webhooks = {
    enabled: false,
    group: TEST_WEBHOOKS_GROUP,
    fromBeginning: false,
    ...overrides.webhooks,
  };
  const inFlight = {
    enabled: false,
    group: TEST_IN_FLIGHT_GROUP,
    fromBeginning: false,
    ...overrides.inFlight,
  };
  const deadlines = {
    enabled: false,
    group: TEST_DEADLINES_GROUP,
    fromBeginning: false,
    ...overrides.deadlines,
  };
  const sideGroups = [webhooks, inFlight, deadlines].filter((g) => g.enabled).map((g) => g.group);

  // Topics must exist before offsets can be set; the admin creates what is missing.
  const app = await createGatewayApp(config, {
    logger,
    ...(kafkaProducer ? { kafkaProducer } : {}),
    overrides: {
      // The production deadline (1.5 s per store operation) answers 503 whenever the shared store is
      // that slow, which a loaded two-core machine running the whole suite sometimes is; tests of
      // that deadline (store-outage.test.ts) set it explicitly.
      storeTimeoutMs: 10_000,
      ...overrides,
      projection: { group, fromBeginning: false, ...overrides.projection },
      webhooks,
      inFlight,
      deadlines,
    },
  });
  const kafka = app.get<Kafka>(KAFKA_CLIENT);
  await app.get(KafkaAdmin).ensureTopics(
    [
      ...ALL_TOPICS.map((t) => t.name),
      ...[group, ...sideGroups].flatMap((g) => [retryTopic(g), deadLetterTopic(g)]),
    ].map((name) => ({
      name,
      partitions: config.kafka.partitions,
    })),
  );
  for (const side of sideGroups) {
    // A retry topic created just now may not have a leader yet: try until it has.
    await waitFor(
      () =>
        resetGroupToEnd(kafka, side, [...ALL_TOPICS.map((t) => t.name), retryTopic(side)]).then(() => true),
      { timeoutMs: 30_000, intervalMs: 250, description: `the ${side} group reset to the topics' ends` },
    );
  }
  if (overrides.projection?.enabled !== false) {
    await resetGroupToEnd(kafka, group, [...ALL_TOPICS.map((t) => t.name), retryTopic(group)]);
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  // Each consumer group that runs is a module of its own: wait until each has joined its group.
  if (overrides.projection?.enabled !== false) await app.get(ProjectionConsumer).consumer.whenJoined();
  if (webhooks.enabled) await app.get(WebhookConsumer).consumer.whenJoined();
  if (inFlight.enabled) await app.get(InFlightConsumer).consumer.whenJoined();
  if (deadlines.enabled) await app.get(DeadlineConsumer).consumer.whenJoined();

  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  const mongo = app.get<Connection>(MONGO_CONNECTION);
  const producer = app.get(EventProducer);
  const serializer = app.get<EventSerializer>(EVENT_SERIALIZER);
  const tenant = 'default';

  return {
    app,
    url,
    mongo,
    mongoUri: config.mongoUri,
    producer,
    logger,
    tenant,
    async newUser(owner = tenant) {
      const userId = `u-test-${randomBytes(5).toString('hex')}`;
      // Keyed as the data loader keys profiles (`<tenantId>:<userId>`): the gateway reads them by `_id`.
      await mongo.collection<{ _id: string; [field: string]: unknown }>('user_profiles').insertOne({
        _id: storedId(owner, userId),
        userId,
        tenantId: owner,
        displayName: 'Test user',
        interests: {},
        preferredCategories: [],
        dislikedTags: [],
        budget: 100,
        history: [],
      });
      return userId;
    },
    async createApiKey(owner, scopes) {
      const minted = mintApiKey();
      await app.get(ApiKeyRepository).insert({
        _id: minted.keyId,
        tenantId: owner,
        scopes: [...scopes],
        name: 'test',
        secretHash: minted.secretHash,
        createdAt: new Date(),
        revokedAt: null,
      });
      return minted.key;
    },
    emit(topic, value, options) {
      return producer.emit(topic, value, options);
    },
    async resend(topic, value, envelope) {
      const bytes = await serializer.encode(topic, value);
      await producer.send({
        topic: topic.name,
        messages: [{ key: envelope.correlationId, value: bytes, headers: envelopeToHeaders(envelope) }],
      });
    },
    fetch(path, init) {
      return fetch(`${url}${path}`, init);
    },
    async close() {
      // A gateway started on another's database (`env.TRIBUTARY_MONGO_URI`) leaves it to its owner.
      if (env.TRIBUTARY_MONGO_URI === undefined) await mongo.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}

export async function postJson(
  gateway: Gateway,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return gateway.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export interface TaskJson {
  taskId: string;
  status: string;
  terminal: boolean;
  version: number;
  timeline: { seq: number; type: string; status: string; advanced: boolean }[];
  result: { recommendations: unknown[] } | null;
  [key: string]: unknown;
}

export async function getTask(gateway: Gateway, taskId: string): Promise<TaskJson> {
  const response = await gateway.fetch(`/v1/tasks/${taskId}`);
  if (response.status !== 200)
    throw new Error(`GET task ${taskId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as TaskJson;
}

export function waitForTask(
  gateway: Gateway,
  taskId: string,
  predicate: (task: TaskJson) => boolean,
  description: string,
  timeoutMs = 20_000,
): Promise<TaskJson> {
  return waitFor(
    async () => {
      const task = await getTask(gateway, taskId).catch(() => undefined);
      return task && predicate(task) ? task : undefined;
    },
    { timeoutMs, intervalMs: 50, description },
  );
}

export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: {
    seq: number;
    taskId: string;
    type: string;
    status: string;
    advanced: boolean;
    data: Record<string, unknown>;
  };
}

export interface SseResult {
  status: number;
  contentType: string | null;
  messages: SseMessage[];
  /** True when the server ended the stream (rather than the reader stopping). */
  ended: boolean;
}

/**
 * Reads a task's event stream until the server closes it, `stopAfter` messages arrived, or
 * `timeoutMs` passed (then the request is aborted and `ended` is false).
 */
export async function readEvents(
  gateway: Gateway,
  taskId: string,
  {
    lastEventId,
    stopAfter,
    timeoutMs = 20_000,
    onOpen,
  }: { lastEventId?: string; stopAfter?: number; timeoutMs?: number; onOpen?: () => Promise<void> } = {},
): Promise<SseResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const messages: SseMessage[] = [];
  let ended = false;
  try {
    const response = await gateway.fetch(`/v1/tasks/${taskId}/events`, {
      headers,
      signal: controller.signal,
    });
    const result = { status: response.status, contentType: response.headers.get('content-type') };
    if (response.status !== 200 || !response.body) return { ...result, messages, ended: true };
    const opened = onOpen?.();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        buffer += value;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const data = fields.get('data');
          if (data === undefined) continue;
          messages.push({
            id: fields.get('id'),
            event: fields.get('event'),
            data: JSON.parse(data) as SseMessage['data'],
          });
          if (stopAfter !== undefined && messages.length >= stopAfter) {
            controller.abort();
            await opened;
            return { ...result, messages, ended: false };
          }
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    await opened;
    return { ...result, messages, ended };
  } finally {
    clearTimeout(timer);
  }
}

import mongoose, { type Connection, type mongo } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { testConfig } from '@tributary/testing';
import { ApiKeyRepository } from '../../../apps/gateway/src/auth/api-key.repository';
import { AUTH_COLLECTION_NAMES } from '../../../apps/gateway/src/auth/collections';
import { ProjectionApplier } from '../../../apps/gateway/src/read-model/projection/projection-applier';
import { taskEventModel } from '../../../apps/gateway/src/read-model/task-event.entity';
import { TaskEventRepository } from '../../../apps/gateway/src/read-model/task-event.repository';
import { TaskNotifier } from '../../../apps/gateway/src/read-model/task-notifier';
import { TaskReader } from '../../../apps/gateway/src/read-model/task-reader';
import { taskModel } from '../../../apps/gateway/src/read-model/task.entity';
import { TaskRepository } from '../../../apps/gateway/src/read-model/task.repository';
import { UserProfileRepository } from '../../../apps/gateway/src/read-model/user-profile.repository';
import { SUBMISSION_COLLECTION_NAMES } from '../../../apps/gateway/src/submission/collections';
import { IdempotencyRepository } from '../../../apps/gateway/src/submission/idempotency.repository';
import { InFlightRepository } from '../../../apps/gateway/src/submission/in-flight.repository';
import { claimRow } from '../../../apps/gateway/src/task/log';
import { applyEvent } from '../../../apps/gateway/src/task/reducer';
import { type ProjectedEvent } from '../../../apps/gateway/src/task/task-state';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { toProjected } from '../../../apps/gateway/src/task/to-projected';
import { WEBHOOK_COLLECTION_NAMES } from '../../../apps/gateway/src/webhooks/collections';
import { TenantWebhookRepository } from '../../../apps/gateway/src/webhooks/tenant-webhook.repository';
import { WebhookDeliveryRepository } from '../../../apps/gateway/src/webhooks/webhook-delivery.repository';
import { sample } from './events';

/**
 * The property that keeps the gateway fast on FerretDB (the local store): every query and write on
 * the hot paths (projection batches, task reads, SSE history and polling, submit's checks) is an
 * exact `{ _id: <string> }` filter or an insert. FerretDB 1.24 answers only that filter from SQLite's
 * primary key; anything else decodes the whole collection in Go, which is how the projection fell to
 * a few events per second once a few hundred tasks had accumulated. This test watches the driver's
 * commands while those paths run against the real store and fails on any other filter.
 */

const WATCHED = new Set([
  'tasks',
  'task_events',
  'user_profiles',
  ...Object.values(AUTH_COLLECTION_NAMES),
  ...Object.values(SUBMISSION_COLLECTION_NAMES),
  ...Object.values(WEBHOOK_COLLECTION_NAMES),
]);
/** Commands that read or write documents (index and collection management is not a hot path). */
const DATA_COMMANDS = new Set([
  'find',
  'update',
  'delete',
  'insert',
  'findAndModify',
  'aggregate',
  'count',
  'distinct',
  'getMore',
]);

interface Seen {
  /** Which command (one command can carry many filters: a bulk write). */
  readonly requestId: number;
  readonly collection: string;
  readonly command: string;
  readonly filter: unknown;
}

/** Commands on the read-model collections, and the filters that are not exactly `{ _id: string }`. */
class CommandLog {
  readonly seen: Seen[] = [];

  constructor(client: mongo.MongoClient, database: string) {
    client.on('commandStarted', (event) => {
      if (event.databaseName !== database || !DATA_COMMANDS.has(event.commandName)) return;
      const command = event.command as Record<string, unknown>;
      const collection = event.commandName === 'getMore' ? command.collection : command[event.commandName];
      if (typeof collection !== 'string' || !WATCHED.has(collection)) return;
      const filters = filtersOf(event.commandName, command);
      for (const filter of filters)
        this.seen.push({ requestId: event.requestId, collection, command: event.commandName, filter });
    });
  }

  mark(): number {
    return this.seen.length;
  }

  since(mark: number): Seen[] {
    return this.seen.slice(mark);
  }

  /** Everything since `mark` that is neither an insert nor an exact `_id` filter. */
  offenders(mark: number): Seen[] {
    return this.since(mark).filter((s) => s.command !== 'insert' && !isExactId(s.filter));
  }
}

function filtersOf(name: string, command: Record<string, unknown>): unknown[] {
  switch (name) {
    case 'find':
      return [command.filter];
    case 'update':
      return (command.updates as { q: unknown }[]).map((u) => u.q);
    case 'delete':
      return (command.deletes as { q: unknown }[]).map((d) => d.q);
    case 'findAndModify':
      return [command.query];
    case 'insert':
      return [null];
    default:
      // aggregate, count, distinct, getMore (a cursor beyond its first batch): never on a hot path.
      return [{ [name]: 'not an _id lookup' }];
  }
}

function isExactId(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const keys = Object.keys(filter);
  return keys.length === 1 && keys[0] === '_id' && typeof (filter as { _id: unknown })._id === 'string';
}

const tenant = tenantId('default');
let connection: Connection;
let database: string;
let commands: CommandLog;
let tasks: TaskRepository;
let events: TaskEventRepository;
let log: TaskReader;

function taskId(i: number): string {
  return `tsk_HOT${String(i).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** A task's agent events, as the projection receives them. */
function lifecycle(id: string, minute: number): ProjectedEvent[] {
  const at = (s: number) => ({
    eventId: `${id}-${s}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 10, minute, s)).toISOString(),
  });
  return [
    toProjected('taskRequested', at(1), sample(TOPICS.taskRequested, id)),
    toProjected(
      'taskProgress',
      at(2),
      sample(TOPICS.taskProgress, id, { stage: 'planning', tokenDelta: null }),
    ),
    toProjected('taskPlanned', at(3), sample(TOPICS.taskPlanned, id)),
    toProjected('researchCompleted', at(4), sample(TOPICS.researchCompleted, id)),
    toProjected('reviewCompleted', at(5), sample(TOPICS.reviewCompleted, id)),
    toProjected('recommendationReady', at(6), sample(TOPICS.recommendationReady, id)),
  ];
}

beforeAll(async () => {
  const base = new URL(testConfig('gateway').mongoUri);
  database = `gateway_hot_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  base.pathname = `/${database}`;
  connection = await mongoose
    .createConnection(base.toString(), {
      monitorCommands: true,
      retryWrites: false,
      serverSelectionTimeoutMS: 10_000,
    })
    .asPromise();
  const models = [taskModel(connection, 'tasks'), taskEventModel(connection, 'task_events')] as const;
  await Promise.all(models.map((model) => model.init()));
  tasks = new TaskRepository(models[0]);
  events = new TaskEventRepository(models[1]);
  await Promise.all([tasks.ensureIndexes(), events.ensureIndexes()]);
  log = new TaskReader(tasks, events);
  commands = new CommandLog(connection.getClient(), database);
});

afterAll(async () => {
  await connection?.dropDatabase().catch(() => undefined);
  await connection?.close();
});

describe('hot paths on the read model', () => {
  it('the detector flags a filtered query', async () => {
    const mark = commands.mark();
    await connection.collection('tasks').find({ tenantId: tenant, status: 'completed' }).limit(5).toArray();
    expect(commands.offenders(mark)).toHaveLength(1);
  });

  it('projection batches, concurrent instances and a crashed claim use only `_id` filters and inserts', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => taskId(i));
    const all = ids.map((id, i) => lifecycle(id, i));
    const a = new ProjectionApplier(tasks, events, new TaskNotifier());
    const b = new ProjectionApplier(tasks, events, new TaskNotifier());

    // One batch of many tasks: one claim (insert) and one task write (update) for all of them.
    let mark = commands.mark();
    const first = await a.apply(all.flatMap((lc) => lc.slice(0, 2)));
    expect(first.applied).toBe(24);
    const batch = commands.since(mark);
    expect(batch.filter((s) => s.command === 'insert')).toHaveLength(1);
    const updates = batch.filter((s) => s.command === 'update');
    expect(updates).toHaveLength(12);
    expect(new Set(updates.map((s) => s.requestId)).size).toBe(1);
    expect(commands.offenders(mark)).toEqual([]);

    mark = commands.mark();
    // Two instances apply events of the same tasks at once (different topics, different instances),
    // with redeliveries mixed in: conflicts are settled through `_id` reads of the rows.
    const [ra, rb] = await Promise.all([
      a.apply(all.flatMap((lc) => [lc[2]!, lc[3]!, lc[1]!])),
      b.apply(all.flatMap((lc) => [lc[4]!, lc[0]!])),
    ]);
    expect(ra.applied + rb.applied).toBe(36);
    for (const id of ids) {
      const task = await log.current(tenant, id);
      expect(task?.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    }

    // A claim whose writer died before its task write: the redelivery (on another instance) adopts it.
    const victim = ids[0]!;
    const stored = (await tasks.findAnyTenant(victim))!;
    const ready = all[0]![5]!;
    const outcome = applyEvent(stored, ready);
    if (outcome.kind !== 'applied') throw new Error('expected the ready event to apply');
    expect(await events.claim([claimRow(outcome.state, outcome.entry, ready)])).toBe(1);
    expect(await b.apply([ready])).toMatchObject({ applied: 0, duplicates: 1 });
    await a.apply(all.slice(1).map((lc) => lc[5]!));
    expect(commands.offenders(mark)).toEqual([]);

    const rows = await connection
      .collection('task_events')
      .find({ taskId: victim })
      .sort({ seq: 1 })
      .toArray();
    expect(rows.map((r) => r._id)).toEqual(
      [1, 2, 3, 4, 5, 6].map((s) => `${victim}#${String(s).padStart(10, '0')}`),
    );
    expect((await tasks.findAnyTenant(victim))?.status).toBe('completed');
  });

  it('reading a task and its event history uses only `_id` filters', async () => {
    const id = taskId(99);
    const applier = new ProjectionApplier(tasks, events, new TaskNotifier());
    const [requested, progress, planned, ...rest] = lifecycle(id, 59);
    await applier.apply([requested!, progress!, planned!]);

    const mark = commands.mark();
    expect((await log.current(tenant, id))?.version).toBe(3);
    expect(await log.current(tenant, taskId(98))).toBeNull();
    // What an event stream reads from the store: whether the task exists (its events come from the log).
    expect((await tasks.findById(tenant, id))?.createdAt).toBeInstanceOf(Date);

    // Events applied by another instance, found by reading the rows after the document's version.
    await new ProjectionApplier(tasks, events, new TaskNotifier()).apply(rest);
    expect((await log.current(tenant, id))?.version).toBe(6);
    expect((await log.rollForward(null, id))?.timeline.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // The submit path's reads and its withdrawal.
    const profiles = new UserProfileRepository(connection.collection('user_profiles'));
    await connection
      .collection<{ _id: string; [field: string]: unknown }>('user_profiles')
      .insertOne({ _id: `${tenant}:u-hot`, tenantId: tenant, userId: 'u-hot' });
    expect(await profiles.exists(tenant, 'u-hot')).toBe(true);
    expect(await profiles.exists(tenant, 'u-cold')).toBe(false);
    const accepted = { ...(await log.current(tenant, id))!, taskId: taskId(97), version: 0, timeline: [] };
    await tasks.insertAccepted(accepted);
    expect(await tasks.deleteUnconfirmed(tenant, accepted.taskId)).toBe(true);

    expect(commands.offenders(mark)).toEqual([]);
    expect(commands.since(mark).length).toBeGreaterThan(10);
  });

  it('authentication, idempotency keys, the in-flight count and webhook deliveries use only `_id` filters and inserts', async () => {
    const collection = <T extends { _id: string }>(name: string) => connection.collection<T>(name);
    const keys = new ApiKeyRepository(collection(AUTH_COLLECTION_NAMES.apiKeys));
    const claims = new IdempotencyRepository(collection(SUBMISSION_COLLECTION_NAMES.idempotencyKeys));
    const inFlight = new InFlightRepository(collection(SUBMISSION_COLLECTION_NAMES.inFlight));
    const deliveries = new WebhookDeliveryRepository(collection(WEBHOOK_COLLECTION_NAMES.webhookDeliveries));
    const tenants = new TenantWebhookRepository(collection(WEBHOOK_COLLECTION_NAMES.tenantWebhooks));
    await inFlight.ensureIndexes();
    const mark = commands.mark();

    expect(await keys.findForAuthentication('0123456789abcdef')).toBeNull();
    const claimed = taskId(90);
    const first = await claims.claim(tenant, 'key-1', 'fp', claimed);
    const second = await claims.claim(tenant, 'key-1', 'fp', taskId(91));
    expect([first.won, second.won, second.claim.taskId]).toEqual([true, false, claimed]);
    await claims.complete(tenant, 'key-1');
    await claims.release(tenant, 'key-1');
    const running = Array.from({ length: 5 }, (_, i) => taskId(80 + i));
    for (const [i, id] of running.entries())
      expect(await inFlight.admit(tenant, id, 3)).toMatchObject({ admitted: i < 3 });
    await inFlight.release(tenant, running[0]!);
    await inFlight.release(tenant, running[0]!);
    expect(await inFlight.count(tenant)).toBe(2);
    const secret = await tenants.ensure(tenant);
    expect((await tenants.ensure(tenant)).secret).toBe(secret.secret);
    const delivery = {
      _id: taskId(70),
      tenantId: tenant,
      webhookId: 'msg_1',
      type: 'task.completed' as const,
      eventId: 'e1',
      url: 'https://x.test/',
    };
    await deliveries.claim(delivery);
    expect((await deliveries.claim({ ...delivery, eventId: 'e2' })).eventId).toBe('e1');
    await deliveries.recordAttempt(
      delivery._id,
      {
        attempt: 1,
        at: new Date(),
        url: delivery.url,
        status: 200,
        outcome: 'delivered',
        error: null,
        durationMs: 3,
      },
      'delivered',
    );
    expect((await deliveries.find(tenant, delivery._id))?.state).toBe('delivered');

    expect(commands.offenders(mark)).toEqual([]);
    expect(commands.since(mark).length).toBeGreaterThan(20);
  });
});

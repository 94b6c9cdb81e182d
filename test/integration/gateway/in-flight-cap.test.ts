import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { IN_FLIGHT_COLLECTION } from '../../../apps/gateway/src/submission/collections';
import {
  type Admission,
  InFlightRepository,
} from '../../../apps/gateway/src/submission/in-flight.repository';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { sample } from './events';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * The per-tenant in-flight cap under concurrency: submissions racing for the last slots of a
 * tenant, through the HTTP API of a gateway with its in-flight consumer, against the real store.
 */

const CAP = 5;

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway(
    { inFlight: { enabled: true } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
      TRIBUTARY_RATE_LIMIT_BURST: '1000',
      TRIBUTARY_MAX_IN_FLIGHT_TASKS: String(CAP),
    },
  );
});

afterAll(async () => {
  await gateway?.close();
});

describe('in-flight cap', () => {
  it('admits exactly the cap of 40 concurrent submissions, and exactly as many more as tasks have ended', async () => {
    const tenant = `cap${Date.now().toString(36)}`;
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const user = await gateway.newUser(tenant);
    const race = (count: number) =>
      Promise.all(
        Array.from({ length: count }, () =>
          postJson(
            gateway,
            '/v1/tasks',
            { userId: user, request: 'a sci-fi novel' },
            { authorization: `Bearer ${key}` },
          ),
        ),
      );
    const admittedIds = async (responses: Response[]) =>
      Promise.all(
        responses
          .filter((r) => r.status === 202)
          .map(async (r) => ((await r.json()) as { taskId: string }).taskId),
      );

    const first = await race(40);
    const statuses = first.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(CAP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - CAP);
    const running = await admittedIds(first);
    const inFlight = gateway.app.get(InFlightRepository);
    expect(await inFlight.count(tenantId(tenant))).toBe(CAP);

    // Two tasks end (one of them twice: a repeated end frees one slot, not two).
    const ended = running.slice(0, 2);
    for (const taskId of ended) {
      const failed = { ...sample(TOPICS.taskFailed, taskId), tenantId: tenant };
      const envelope = await gateway.emit(TOPICS.taskFailed, failed);
      if (taskId === ended[0]) await gateway.resend(TOPICS.taskFailed, failed, envelope);
    }
    await waitFor(async () => (await inFlight.count(tenantId(tenant))) === CAP - ended.length, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'the in-flight consumer to count both ends',
    });

    const second = await race(20);
    expect(second.map((r) => r.status).filter((s) => s === 202)).toHaveLength(ended.length);
    expect(await inFlight.count(tenantId(tenant))).toBe(CAP);
  });

  it('never admits over the cap when other submissions are admitted or refused between the reads of one admission', async () => {
    const tenant = tenantId(`step${Date.now().toString(36)}`);
    const cap = 2;
    const tickets =
      gateway.app.get<ConstructorParameters<typeof InFlightRepository>[0]>(IN_FLIGHT_COLLECTION);
    const others = new InFlightRepository(tickets);
    const outcomes: Admission[] = [];
    let n = 0;
    const another = async () => {
      if (n >= 20) return;
      n += 1;
      outcomes.push(await others.admit(tenant, `other-${tenant}-${n}`, cap));
    };
    // The tenant is at its cap; then one admission runs with another one before each of its reads.
    await another();
    await another();
    const stepped = new InFlightRepository(between(tickets, another));
    outcomes.push(await stepped.admit(tenant, `stepped-${tenant}`, cap));

    expect(n).toBeGreaterThan(3);
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(cap);
    expect(await others.count(tenant)).toBe(cap);
  });
});

/** The collection, with `step` run (and awaited) before each of its reads. */
function between<T extends object>(collection: T, step: () => Promise<void>): T {
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'findOne') return value.bind(target) as unknown;
      return async (...args: unknown[]) => {
        await step();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

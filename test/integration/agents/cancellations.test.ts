import { MongoCancellationStore } from '@tributary/agent';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const config = testConfig('planner-agent');
let mongo: Connection;

beforeAll(async () => {
  const uri = new URL(config.mongoUri);
  uri.pathname = `/${uniqueName('cancellations').replace(/\W/g, '_')}`;
  mongo = await connectMongo(uri.toString());
});

afterAll(async () => {
  await mongo.dropDatabase();
  await mongo.close();
});

describe('the cancellations in the store', () => {
  it('reads back the latest ones, newest first, within the horizon and the limit', async () => {
    const store = new MongoCancellationStore(mongo);
    await store.init();
    const at = (iso: string) => new Date(iso);
    await mongo.collection('task_cancellations').insertMany(
      [
        { taskId: 'tsk-old', at: at('2020-01-01T00:00:00Z') },
        { taskId: 'tsk-1', at: at('2020-01-02T00:00:01Z') },
        { taskId: 'tsk-3', at: at('2020-01-02T00:00:03Z') },
        { taskId: 'tsk-2', at: at('2020-01-02T00:00:02Z') },
      ].map((c) => ({ _id: `acme:${c.taskId}` as unknown as never, tenantId: 'acme', reason: null, ...c })),
    );
    await store.add('globex', 'tsk-now', 'changed my mind');

    const since = at('2020-01-02T00:00:00Z');
    expect(await store.recent(since, 10)).toEqual([
      { tenantId: 'globex', taskId: 'tsk-now' },
      { tenantId: 'acme', taskId: 'tsk-3' },
      { tenantId: 'acme', taskId: 'tsk-2' },
      { tenantId: 'acme', taskId: 'tsk-1' },
    ]);
    expect(await store.recent(since, 2)).toEqual([
      { tenantId: 'globex', taskId: 'tsk-now' },
      { tenantId: 'acme', taskId: 'tsk-3' },
    ]);
    expect(await store.has('acme', 'tsk-old')).toBe(true);
  });
});

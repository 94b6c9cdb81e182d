import { MongoLiveCallBudget } from '@tributary/agent';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A replay's budget of live model requests is shared by its three agent processes through the store:
 * however many take at once, exactly the budget is granted.
 */
const config = testConfig('research-agent');
let connections: Connection[] = [];

beforeAll(async () => {
  const uri = new URL(config.mongoUri);
  uri.pathname = `/${uniqueName('replay_budget').replace(/\W/g, '_')}`;
  // One connection per "process", as the three agents of a replay have.
  connections = await Promise.all([1, 2, 3].map(() => connectMongo(uri.toString())));
});

afterAll(async () => {
  await connections[0]?.dropDatabase();
  await Promise.all(connections.map((c) => c.close()));
});

describe('the live-call budget of a replay', () => {
  it('grants exactly its limit to many concurrent takers in several processes, then refuses every one', async () => {
    const namespace = uniqueName('replay-budget');
    const budgets = connections.map((c) => new MongoLiveCallBudget(c, namespace, 5));
    const granted = await Promise.all(
      Array.from({ length: 30 }, (_, i) => budgets[i % budgets.length]!.take()),
    );
    expect(granted.filter(Boolean)).toHaveLength(5);
    expect(await Promise.all(budgets.map((b) => b.take()))).toEqual([false, false, false]);
  });

  it('grants nothing with a budget of 0', async () => {
    const budget = new MongoLiveCallBudget(connections[0]!, uniqueName('replay-budget'), 0);
    expect(await budget.take()).toBe(false);
  });
});

import { loadConfig } from '@tributary/config';
import { TOPICS } from '@tributary/contracts';
import { makeItem, makeProfile } from '@tributary/testing/catalogue/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessAgents } from './in-process-agents';

const CATALOGUE = [
  makeItem({ id: 'od-1', title: 'Trail Hiking Boots', category: 'outdoor', tags: ['hiking', 'boots'] }),
  makeItem({ id: 'od-2', title: 'Hiking Daypack', category: 'outdoor', tags: ['hiking', 'backpack'] }),
  makeItem({ id: 'bk-1', title: 'Mountain Walks', category: 'books', tags: ['hiking', 'guide'] }),
  makeItem({ id: 'mu-1', title: 'Trail Songs', category: 'music', tags: ['folk'] }),
];

describe('the agents in one process', () => {
  let agents: InProcessAgents;
  beforeAll(async () => {
    agents = await InProcessAgents.start(loadConfig('reviewer-agent', {}), CATALOGUE, [
      makeProfile({ userId: 'u-ada', budget: undefined, history: [] }),
    ]);
  });
  afterAll(() => agents.stop());

  it('take a request through planning, research and review to a recommendation, counting the LLM calls', async () => {
    const run = await agents.run('tsk-1', {
      userId: 'u-ada',
      query: 'hiking gear',
      constraints: { categories: [], minPrice: null, maxPrice: null, excludeItemIds: [], excludeTags: [] },
      maxResults: 2,
      priority: 'normal',
      deadlineAt: null,
    });
    expect(run.error).toBeUndefined();
    const topics = run.events.map((event) => event.topic);
    expect(topics).toEqual(
      expect.arrayContaining([
        TOPICS.taskPlanned.name,
        TOPICS.researchCompleted.name,
        TOPICS.reviewCompleted.name,
        TOPICS.recommendationReady.name,
      ]),
    );
    const ready = run.events.find((event) => event.topic === TOPICS.recommendationReady.name);
    const ids = (ready?.value as { recommendations: { itemId: string }[] }).recommendations.map(
      (r) => r.itemId,
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => CATALOGUE.some((item) => item.id === id))).toBe(true);
    expect(run.llmCalls.map((call) => call.method).slice(0, 3)).toEqual(['plan', 'draft', 'review']);
  });

  it('end a task for a user with no profile with its task.failed event', async () => {
    const run = await agents.run('tsk-2', {
      userId: 'u-nobody',
      query: 'hiking gear',
      constraints: { categories: [], minPrice: null, maxPrice: null, excludeItemIds: [], excludeTags: [] },
      maxResults: 2,
      priority: 'normal',
      deadlineAt: null,
    });
    expect(run.events.map((event) => event.topic)).toContain(TOPICS.taskFailed.name);
    expect(run.llmCalls).toEqual([]);
  });
});

import { Logger } from '@nestjs/common';
import {
  AgentStep,
  CancellationRegistry,
  MongoCallJournal,
  MongoCancellationStore,
  ProfileCache,
} from '@tributary/agent';
import { CatalogueStore, defaultDataFiles, loadData, ProfileStore } from '@tributary/catalogue';
import { loadConfig } from '@tributary/config';
import {
  CALLS_HEADER,
  type EventValue,
  parseCallsHeader,
  TOPICS,
  type TopicDefinition,
} from '@tributary/contracts';
import { type EmitOptions } from '@tributary/kafka';
import { OfflineLlm, RecordedLlm } from '@tributary/llm';
import { connectMongo } from '@tributary/platform';
import { testConfig, uniqueName } from '@tributary/testing';
import { delivery, sampleValue } from '@tributary/testing/agents/deliveries';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanTaskUseCase } from '../../../apps/planner-agent/src/plan-task/plan-task.usecase';
import { CatalogueIndex } from '../../../apps/research-agent/src/research/catalogue-index';
import { ResearchUseCase } from '../../../apps/research-agent/src/research/research.usecase';
import { Retriever } from '../../../apps/research-agent/src/research/retriever';
import { CatalogueItems } from '../../../apps/reviewer-agent/src/review/catalogue-items';
import { ReviewDraftUseCase } from '../../../apps/reviewer-agent/src/review/review-draft.usecase';
import { ReviewRounds } from '../../../apps/reviewer-agent/src/review/review-rounds.repository';

/**
 * What one task's agent stages ask of the store: the three use cases wired as the agents wire them,
 * over the real store (a database of this run) and the offline LLM, with every store operation
 * counted through mongoose's debug hook. Events are recorded instead of published.
 */
const config = testConfig('reviewer-agent');
/** The agents' connection, every operation on it counted. */
let mongo: Connection;
/** The test's own connection, for looking at the store without being counted. */
let observer: Connection;
let operations: string[] | undefined;

beforeAll(async () => {
  Logger.overrideLogger(false);
  const uri = new URL(config.mongoUri);
  uri.pathname = `/${uniqueName('store_round_trips').replace(/\W/g, '_')}`;
  mongo = await connectMongo(uri.toString());
  observer = await connectMongo(uri.toString());
  mongo.set('debug', (collection: string, method: string) => operations?.push(`${collection}.${method}`));
  await loadData({ connection: mongo, tenantId: 'default', ...defaultDataFiles('data'), ifEmpty: false });
});

afterAll(async () => {
  await mongo.dropDatabase();
  await Promise.all([mongo.close(), observer.close()]);
});

/** Records each result (every event but progress) with what the store held when it was published. */
class ObservingProducer extends RecordingProducer {
  readonly storedAtResult = new Map<string, { calls: number; rounds: number }>();

  override async emit<T extends TopicDefinition>(
    topic: T,
    value: EventValue<T>,
    options?: EmitOptions,
  ): Promise<void> {
    if (topic.name !== TOPICS.taskProgress.name) {
      const [calls, rounds] = await Promise.all([
        observer.collection('llm_calls').countDocuments(),
        observer.collection('review_rounds').countDocuments(),
      ]);
      this.storedAtResult.set(topic.name, { calls, rounds });
    }
    return super.emit(topic, value, options);
  }
}

/** One process of each agent, as AgentKitModule and the agents' modules build them. */
async function agents() {
  const recorder = new ObservingProducer();
  const producer = recorder.producer;
  const cancellations = new CancellationRegistry(new MongoCancellationStore(mongo));
  await cancellations.init();
  const step = new AgentStep(producer, cancellations, 4, { deadlineGraceMs: 30_000 });
  const profiles = new ProfileCache(new ProfileStore(mongo));
  const catalogue = new CatalogueStore(mongo);
  const journal = new MongoCallJournal(mongo, 'store-round-trips');
  const llm = new RecordedLlm(new OfflineLlm(), journal);
  const retriever = new Retriever(new CatalogueIndex(catalogue));
  return {
    recorder,
    planner: new PlanTaskUseCase(step, profiles, llm, producer),
    research: new ResearchUseCase(step, profiles, retriever, journal, llm, producer),
    reviewer: new ReviewDraftUseCase(
      loadConfig('reviewer-agent', {}),
      step,
      profiles,
      new CatalogueItems(catalogue),
      new ReviewRounds(mongo),
      llm,
      producer,
    ),
  };
}

async function counted(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  operations = seen;
  try {
    await run();
  } finally {
    operations = undefined;
  }
  return seen;
}

/** Runs a task through planning, research and review (first deliveries), and the store operations of each stage. */
async function runTask(
  { recorder, planner, research, reviewer }: Awaited<ReturnType<typeof agents>>,
  taskId: string,
): Promise<{ planning: string[]; researching: string[]; reviewing: string[] }> {
  const sample = sampleValue(TOPICS.taskRequested, { taskId, tenantId: 'default' });
  // A request of its own, so no stage is answered by another task's recorded calls.
  const requested: EventValue<typeof TOPICS.taskRequested> = {
    ...sample,
    request: { ...sample.request, query: `${sample.request.query} (${taskId})` },
  };
  const planning = await counted(() => planner.execute(delivery(TOPICS.taskRequested, requested)));
  const planned = recorder.values(TOPICS.taskPlanned).find((value) => value.taskId === taskId);
  if (!planned) throw new Error(`${taskId} was not planned`);
  const researching = await counted(() =>
    research.execute(delivery(TOPICS.taskPlanned, planned), { round: 1, critique: null }),
  );
  const drafted = recorder.values(TOPICS.researchCompleted).find((value) => value.taskId === taskId);
  if (!drafted) throw new Error(`${taskId} was not drafted`);
  const reviewing = await counted(() => reviewer.execute(delivery(TOPICS.researchCompleted, drafted)));
  const ready = recorder.values(TOPICS.recommendationReady).find((value) => value.taskId === taskId);
  if (!ready) throw new Error(`${taskId} was not approved in one round`);
  return { planning, researching, reviewing };
}

describe('the store operations of one task’s agent stages', () => {
  it('on first deliveries: no reads at all (journal, cancellations, profiles), and each result published once its records are written', async () => {
    const processes = await agents();
    await runTask(processes, 'tsk-warm-up');
    const before = await Promise.all([
      observer.collection('llm_calls').countDocuments(),
      observer.collection('review_rounds').countDocuments(),
    ]);

    const stages = await runTask(processes, 'tsk-counted');

    expect(stages).toEqual({
      planning: ['llm_calls.insertOne'],
      researching: ['llm_calls.insertOne', 'llm_calls.insertOne'],
      // An approved round leaves no record: only later rounds read them.
      reviewing: ['llm_calls.insertOne'],
    });
    const [calls, rounds] = before;
    expect(Object.fromEntries(processes.recorder.storedAtResult)).toEqual({
      [TOPICS.taskPlanned.name]: { calls: calls + 1, rounds },
      [TOPICS.researchCompleted.name]: { calls: calls + 3, rounds },
      [TOPICS.reviewCompleted.name]: { calls: calls + 4, rounds },
      [TOPICS.recommendationReady.name]: { calls: calls + 4, rounds },
    });

    // Each result lists the calls its step made (for `tributary task trace`); the public event does not.
    const listed = (topic: TopicDefinition) =>
      parseCallsHeader(
        processes.recorder.emitted.findLast(
          (event) =>
            event.topic.name === topic.name && (event.value as { taskId: string }).taskId === 'tsk-counted',
        )?.options.headers?.[CALLS_HEADER],
      ).map((call) => `${call.method} ${call.via}`);
    expect(listed(TOPICS.taskPlanned)).toEqual(['plan called']);
    expect(listed(TOPICS.researchCompleted)).toEqual(['tool:retrieve called', 'draft called']);
    expect(listed(TOPICS.reviewCompleted)).toEqual(['review called']);
    expect(listed(TOPICS.recommendationReady)).toEqual([]);
  });
});

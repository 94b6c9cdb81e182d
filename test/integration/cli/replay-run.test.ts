import { randomBytes } from 'node:crypto';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { TOPICS } from '@tributary/contracts';
import { EventProducer, readRange } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import { NO_PROGRESS } from '@tributary/terminal';
import {
  jsonOutput,
  LlmSimulator,
  runTributary,
  RuntimeHarness,
  Services,
  testConfig,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutcomes, type TaskOutcome } from '../../../apps/cli/src/replay/outcomes';

/**
 * `tributary replay run` on the real stack. Fifty tasks are recorded through the built agents (in a
 * namespace of this file's own, which plays the live system here, with a database of its own), their
 * LLM calls answered by a local OpenAI-compatible server that counts requests: its reviews score the
 * "amber" requests 0.8 and the others 0.95. The replays then run the current agents in namespaces of
 * their own, from that recording's call journal.
 */

const TASKS = 50;
const suffix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const recording = uniqueName('replay-rec');
const base = testConfig('gateway');
const database = `replay_run_${suffix}`;
const mongoUri = Object.assign(new URL(base.mongoUri), { pathname: `/${database}` }).toString();
const harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '2' }));
const taskIds = Array.from({ length: TASKS }, (_, i) => `rp-${suffix}-${i}`);
const USERS = ['u-alice', 'u-bruno', 'u-chen', 'u-dara', 'u-emeka'];
const QUERIES = ['a good book for a long trip', 'kitchen tools for baking bread', 'gear for a weekend hike'];
/** Every other task is "amber": its reviews score 0.8, the others' 0.95. */
const amber = (i: number) => i % 2 === 1;
const namespaces: string[] = [recording];

let llm: LlmSimulator;
let services: Services;
let mongo: Connection;
let recorded: Map<string, TaskOutcome>;

const env = (): Record<string, string> => ({
  TRIBUTARY_MONGO_URI: mongoUri,
  TRIBUTARY_LLM_BASE_URL: llm.baseUrl,
  TRIBUTARY_LLM_MODEL: 'simulator',
  TRIBUTARY_LOG_LEVEL: 'warn',
  TRIBUTARY_KAFKA_PARTITIONS: '2',
});

function requests(): number {
  return [...llm.received.values()].reduce((a, b) => a + b, 0);
}

async function outcomes(namespace: string): Promise<Map<string, TaskOutcome>> {
  return readOutcomes({
    kafka: harness.kafka,
    serializer: harness.serializer,
    namespace,
    tasks: new Set(taskIds),
    progress: NO_PROGRESS,
  });
}

/** Every collection of the database and its document count. */
async function collectionCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await mongo.db!.listCollections().toArray())
    counts[name] = await mongo.db!.collection(name).countDocuments();
  return counts;
}

/** End offsets of every topic of the recording (its catalogue topics, retry and dead-letter topics). */
async function recordingOffsets(): Promise<Record<string, string>> {
  const admin = await harness.admin.connected();
  const offsets: Record<string, string> = {};
  for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(`${recording}.`)).sort())
    offsets[topic] = (await admin.fetchTopicOffsets(topic)).map((p) => `${p.partition}:${p.high}`).join(',');
  return offsets;
}

/** Records with this file's task ids on the live (not namespaced) terminal topics since `from`. */
async function liveRecordsOfOurs(from: Date): Promise<number> {
  let found = 0;
  for (const topic of [TOPICS.recommendationReady, TOPICS.taskFailed, TOPICS.reviewCompleted])
    for await (const record of readRange({
      kafka: harness.kafka,
      serializer: harness.serializer,
      topic,
      fromTime: from,
      keys: new Set(taskIds),
    }))
      if (record.key !== null) found += 1;
  return found;
}

beforeAll(async () => {
  // @ts-expect-error plain ESM script without type declarations
  const build = (await import('../../../scripts/build.mjs')) as { buildApps: () => Promise<number> };
  await build.buildApps();
  mongo = await connectMongo(mongoUri);
  await loadData({ connection: mongo, tenantId: 'default', ...defaultDataFiles('data'), ifEmpty: false });
  llm = await LlmSimulator.start({
    delayMs: 0,
    reviewScore: (prompt) => (/amber/.test(prompt) ? 0.8 : 0.95),
  });

  // The recording: the built agents in the recording's namespace.
  services = new Services({ ...env(), TRIBUTARY_NAMESPACE: recording });
  await Promise.all(
    (['planner-agent', 'research-agent', 'reviewer-agent'] as const).map((name) => services.start(name)),
  );
  const producer = new EventProducer(harness.kafka, harness.serializer, {
    service: 'tests',
    namespace: recording,
  });
  const sample = sampleValue(TOPICS.taskRequested);
  for (const [i, taskId] of taskIds.entries())
    await producer.emit(
      TOPICS.taskRequested,
      sampleValue(TOPICS.taskRequested, {
        taskId,
        tenantId: 'default',
        callbackUrl: null,
        request: {
          ...sample.request,
          userId: USERS[i % USERS.length]!,
          query: `${QUERIES[i % QUERIES.length]!}${amber(i) ? ' (amber)' : ''} #${i % 7}`,
          maxResults: 3,
          deadlineAt: null,
          constraints: {
            categories: [],
            minPrice: null,
            maxPrice: null,
            excludeItemIds: [],
            excludeTags: [],
          },
        },
      }),
    );
  await producer.disconnect();
  recorded = await waitFor(
    async () => {
      const found = await outcomes(recording);
      return [...found.values()].filter((o) => o.status !== 'open').length === TASKS ? found : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000, description: `the ${TASKS} recorded tasks to end` },
  );
  await services.stopAll();
}, 400_000);

afterAll(async () => {
  await services?.stopAll();
  await llm?.close();
  const admin = await harness.admin.connected();
  const ours = (await admin.listTopics()).filter((t) => namespaces.some((ns) => t.startsWith(`${ns}.`)));
  await admin.deleteTopics({ topics: ours }).catch(() => undefined);
  await harness.close();
  await mongo?.dropDatabase();
  await mongo?.close();
}, 60_000);

interface RunReport {
  namespace: string;
  selected: number;
  compared: number;
  identical: number;
  different: number;
  unfinished: string[];
  candidateCalls: { called: number; journal: number; shared: number };
  candidateFailures: Record<string, number>;
  tasks: {
    taskId: string;
    identical: boolean;
    status: { baseline: string; candidate: string };
    failureCode: { baseline: string | null; candidate: string | null };
    verdicts: { baseline: string[]; candidate: string[] };
  }[];
}

describe('tributary replay run', () => {
  it('replays 50 recorded tasks with unchanged configuration: 50 identical outcomes, no model request, nothing live or recorded changed', async () => {
    expect([...recorded.values()].every((o) => o.status === 'completed')).toBe(true);
    const before = {
      requests: requests(),
      store: await collectionCounts(),
      offsets: await recordingOffsets(),
      at: new Date(),
    };
    const namespace = uniqueName('replay-same');
    namespaces.push(namespace);

    const run = await runTributary(
      ['replay', 'run', '--source', recording, '--namespace', namespace, '--timeout', '240', '--json'],
      env(),
      { timeoutMs: 300_000 },
    );

    expect(run.code, run.stderr).toBe(0);
    const report = jsonOutput<RunReport>(run);
    expect(report).toMatchObject({
      namespace,
      selected: TASKS,
      compared: TASKS,
      identical: TASKS,
      different: 0,
    });
    expect(report.unfinished).toEqual([]);
    // Every call of every step was answered from the recording's journal.
    expect(report.candidateCalls.called).toBe(0);
    expect(report.candidateCalls.journal).toBeGreaterThanOrEqual(TASKS * 3);
    expect(requests()).toBe(before.requests);

    // The recording (the live system of this test) is as it was: its topics and every collection that
    // existed; the replay wrote only collections of its own namespace.
    expect(await recordingOffsets()).toEqual(before.offsets);
    const after = await collectionCounts();
    for (const [name, count] of Object.entries(before.store)) expect(after[name], name).toBe(count);
    const added = Object.keys(after).filter((name) => !(name in before.store));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((name) => name.endsWith(`__${namespace.replace(/[^a-z0-9_]/g, '_')}`))).toBe(true);
    // Nothing of these tasks reached the live topics (the public one included).
    expect(await liveRecordsOfOurs(before.at)).toBe(0);
  }, 360_000);

  it('replays with a stricter reviewer threshold: amber tasks approved outright are sent back and fail on the journal miss of their revision, the others are identical; still no model request', async () => {
    const before = { requests: requests(), offsets: await recordingOffsets() };
    const namespace = uniqueName('replay-strict');
    namespaces.push(namespace);

    const run = await runTributary(
      [
        'replay',
        'run',
        '--source',
        recording,
        '--namespace',
        namespace,
        '--set',
        'reviewer.approveThreshold=0.9',
        '--timeout',
        '240',
        '--json',
      ],
      env(),
      { timeoutMs: 300_000 },
    );

    expect(run.code, run.stderr).toBe(5);
    const report = jsonOutput<RunReport>(run);
    // An amber task the recording approved outright (its score, 0.8, passed 0.7) is sent back at 0.9;
    // its revision was never recorded, so without --live-llm it fails on the journal miss. A task the
    // recording approved as best effort (its rule checks sent it back whatever the score) and every
    // 0.95 task come out as they did.
    const sentBack = taskIds.filter((id, i) => amber(i) && recorded.get(id)!.bestEffort === false);
    expect(sentBack.length).toBeGreaterThanOrEqual(5);
    expect(report).toMatchObject({
      compared: TASKS,
      identical: TASKS - sentBack.length,
      different: sentBack.length,
    });
    expect(report.unfinished).toEqual([]);
    expect(report.candidateFailures).toEqual({ 'replay-journal-miss': sentBack.length });
    for (const taskId of taskIds) {
      const diff = report.tasks.find((t) => t.taskId === taskId)!;
      if (sentBack.includes(taskId)) {
        expect(diff).toMatchObject({
          identical: false,
          status: { baseline: 'completed', candidate: 'failed' },
          failureCode: { baseline: null, candidate: 'replay-journal-miss' },
        });
        // The recorded judgement (0.8) held to 0.9: sent back, where the recording approved.
        expect(diff.verdicts.baseline.at(-1)).toBe('approved');
        expect(diff.verdicts.candidate.at(-1)).toBe('revise');
      } else {
        expect(diff.identical, taskId).toBe(true);
      }
    }
    expect(report.candidateCalls.called).toBe(0);
    expect(requests()).toBe(before.requests);
    expect(await recordingOffsets()).toEqual(before.offsets);
  }, 360_000);

  it('with --live-llm makes the calls the journal cannot answer up to --llm-budget, then fails tasks with replay-llm-budget-spent', async () => {
    const refused = await runTributary(['replay', 'run', '--source', recording, '--live-llm'], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--llm-budget');

    const before = requests();
    const namespace = uniqueName('replay-live');
    namespaces.push(namespace);
    const run = await runTributary(
      [
        'replay',
        'run',
        '--source',
        recording,
        '--namespace',
        namespace,
        '--set',
        'reviewer.approveThreshold=0.9',
        '--live-llm',
        '--llm-budget',
        '3',
        '--timeout',
        '240',
        '--json',
      ],
      env(),
      { timeoutMs: 300_000 },
    );

    expect(run.code, run.stderr).toBe(5);
    const report = jsonOutput<RunReport>(run);
    const sentBack = taskIds.filter((id, i) => amber(i) && recorded.get(id)!.bestEffort === false);
    expect(report.unfinished).toEqual([]);
    // Three requests reached the model, no more (a call's repair round is a request of its own); the
    // replay's steps list the calls that got their answer, at most one per request.
    expect(requests() - before).toBe(3);
    expect(report.candidateCalls.called).toBeGreaterThanOrEqual(1);
    expect(report.candidateCalls.called).toBeLessThanOrEqual(3);
    expect(Object.keys(report.candidateFailures)).toEqual(['replay-llm-budget-spent']);
    // A task needs two live calls (a draft, its review) before it can end as best effort.
    expect(report.candidateFailures['replay-llm-budget-spent']).toBeGreaterThanOrEqual(sentBack.length - 1);
    expect(report.identical).toBe(TASKS - sentBack.length);
  }, 360_000);
});

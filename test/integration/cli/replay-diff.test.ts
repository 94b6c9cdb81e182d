import { CALLS_HEADER, type Envelope, formatCallsHeader, TOPICS } from '@tributary/contracts';
import { EventProducer } from '@tributary/kafka';
import {
  jsonOutput,
  runTributary,
  RuntimeHarness,
  taskTopics,
  testConfig,
  uniqueName,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `tributary replay diff` over two namespaces of real topics: the originals and a replay of them,
 * written here as the agents would, with known differences.
 */

const harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '2' }));
const originals = taskTopics(uniqueName('cli-original'));
const replay = taskTopics(uniqueName('cli-replay'));
const judgedOriginals = taskTopics(uniqueName('cli-judged-original'));
const judgedReplay = taskTopics(uniqueName('cli-judged-replay'));
const namespaceOf = (topics: typeof originals) =>
  topics.requested.name.replace(`.${TOPICS.taskRequested.name}`, '');
const producer = new EventProducer(harness.kafka, harness.serializer, { service: 'tests' });

const item = (itemId: string) => ({
  itemId,
  title: itemId,
  category: 'books',
  price: 10,
  currency: 'EUR',
  reason: 'fits',
  score: 0.8,
  evidence: [],
});

/** A task's events in a namespace: requested, one review per verdict, then ready with these items. */
async function told(
  topics: typeof originals,
  taskId: string,
  verdicts: readonly ('approved' | 'revise')[],
  items: readonly string[],
  via: 'called' | 'journal',
  request: { userId: string; query: string } | null = null,
): Promise<void> {
  const calls = { [CALLS_HEADER]: formatCallsHeader([{ key: `k-${taskId}`, method: 'review', via }]) };
  let cause: Envelope = await producer.emit(
    topics.requested,
    sampleValue(
      TOPICS.taskRequested,
      request === null
        ? { taskId, tenantId: 'acme' }
        : { taskId, tenantId: 'acme', request: { ...sampleValue(TOPICS.taskRequested).request, ...request } },
    ),
  );
  for (const [i, verdict] of verdicts.entries())
    cause = await producer.emit(
      topics.review,
      sampleValue(TOPICS.reviewCompleted, {
        taskId,
        tenantId: 'acme',
        round: i + 1,
        verdict,
        score: verdict === 'approved' ? 0.9 : 0.4,
      }),
      { causedBy: cause, headers: calls },
    );
  await producer.emit(
    topics.ready,
    sampleValue(TOPICS.recommendationReady, {
      taskId,
      tenantId: 'acme',
      rounds: verdicts.length,
      recommendations: items.map(item),
    }),
    { causedBy: cause },
  );
}

afterAll(async () => {
  await producer.disconnect();
  const admin = await harness.admin.connected();
  await admin
    .deleteTopics({
      topics: [originals, replay, judgedOriginals, judgedReplay].flatMap((topics) =>
        Object.values(topics).map((t) => t.name),
      ),
    })
    .catch(() => undefined);
  await harness.close();
});

describe('tributary replay diff', () => {
  it('reports identical replays, and per task the recommendations, verdicts and rounds that changed, with the calls the replay made', async () => {
    await harness.prepare(...Object.values(originals), ...Object.values(replay));
    for (const id of ['same-1', 'same-2', 'same-3']) {
      await told(originals, id, ['approved'], ['a', 'b', 'c'], 'called');
      await told(replay, id, ['approved'], ['a', 'b', 'c'], 'journal');
    }
    await told(originals, 'reranked', ['approved'], ['a', 'b', 'c'], 'called');
    await told(replay, 'reranked', ['approved'], ['b', 'a', 'd'], 'journal');
    await told(originals, 'stricter', ['approved'], ['a', 'b'], 'called');
    await told(replay, 'stricter', ['revise', 'approved'], ['a', 'b'], 'called');
    await told(originals, 'not-replayed', ['approved'], ['a'], 'called');

    const run = await runTributary([
      'replay',
      'diff',
      '--baseline',
      namespaceOf(originals),
      '--candidate',
      namespaceOf(replay),
      '--k',
      '3',
      '--json',
    ]);
    // Some tasks differ: exit code 5.
    expect(run.code, run.stderr).toBe(5);
    const report = jsonOutput<{
      compared: number;
      identical: number;
      different: number;
      missing: string[];
      meanOverlapAtK: number;
      candidateCalls: Record<string, number>;
      tasks: {
        taskId: string;
        identical: boolean;
        overlapAtK: number;
        added: string[];
        removed: string[];
        verdicts: unknown;
        rounds: unknown;
      }[];
    }>(run);
    // Only the tasks the replay has are compared (the baseline's other task is read past, not reported).
    expect(report).toMatchObject({ compared: 5, identical: 3, different: 2, missing: [] });
    expect(report.candidateCalls).toEqual({ called: 2, journal: 4, shared: 0 });
    const byId = new Map(report.tasks.map((t) => [t.taskId, t]));
    expect(byId.get('reranked')).toMatchObject({
      identical: false,
      overlapAtK: 2 / 3,
      added: ['d'],
      removed: ['c'],
    });
    expect(byId.get('stricter')).toMatchObject({
      identical: false,
      overlapAtK: 1,
      verdicts: { baseline: ['approved'], candidate: ['revise', 'approved'] },
      rounds: { baseline: 1, candidate: 2 },
    });
    expect(report.meanOverlapAtK).toBeCloseTo((3 + 2 / 3 + 1) / 5);

    const text = await runTributary([
      'replay',
      'diff',
      '--baseline',
      namespaceOf(originals),
      '--candidate',
      namespaceOf(replay),
    ]);
    expect(text.stdout).toMatch(/^5 task\(s\) compared .*: 3 identical, 2 different/);
    expect(text.stdout).toMatch(/stricter\s+completed\s+1\.00\s+-\s+-\s+approved → revise,approved\s+1 → 2/);
  });

  it('judges the tasks that are cases of the evaluation set: intent coverage on both sides, and the intents the replay lost', async () => {
    await harness.prepare(...Object.values(judgedOriginals), ...Object.values(judgedReplay));
    // A case of data/eval/cases: a sci-fi novel (bk-0001 serves it) and hiking gear (od-0001 does;
    // od-0040 is one the case rules out, so it serves nothing).
    const alice = { userId: 'u-alice', query: 'a gripping science-fiction novel and gear for weekend hikes' };
    await told(judgedOriginals, 'judged', ['approved'], ['bk-0001', 'od-0001'], 'called', alice);
    await told(judgedReplay, 'judged', ['approved'], ['bk-0001', 'od-0040'], 'journal', alice);
    // The sample request is no case: compared, but left out of the coverage.
    await told(judgedOriginals, 'unjudged', ['approved'], ['a'], 'called');
    await told(judgedReplay, 'unjudged', ['approved'], ['b'], 'journal');
    const args = [
      'replay',
      'diff',
      '--baseline',
      namespaceOf(judgedOriginals),
      '--candidate',
      namespaceOf(judgedReplay),
    ];

    const run = await runTributary([...args, '--json']);
    expect(run.code, run.stderr).toBe(5);
    const report = jsonOutput<{
      compared: number;
      intentCoverage: { cases: number; matched: number; coverage: unknown; lost: string[]; gained: string[] };
      tasks: { taskId: string; intents: unknown }[];
    }>(run);
    expect(report.compared).toBe(2);
    expect(report.intentCoverage).toMatchObject({
      matched: 1,
      coverage: { baseline: 1, candidate: 0.5 },
      lost: ['judged'],
      gained: [],
    });
    expect(report.intentCoverage.cases).toBeGreaterThanOrEqual(120);
    const byId = new Map(report.tasks.map((t) => [t.taskId, t.intents]));
    expect(byId.get('judged')).toEqual({
      caseId: 'alice-scifi-novel-and-hiking-gear',
      intents: ['science-fiction novel', 'hiking gear'],
      covered: { baseline: [true, true], candidate: [true, false] },
      lost: ['hiking gear'],
      gained: [],
    });
    expect(byId.get('unjudged')).toBeNull();

    const text = await runTributary(args);
    expect(text.stdout).toMatch(
      /intent coverage on 1 of 2 task\(s\) that are cases of the evaluation set \(.*\): 100\.0% → 50\.0%.*1 task\(s\) lost an intent, 0 gained one/,
    );
    expect(text.stdout).toMatch(/judged\s.*2\/2 → 1\/2 −hiking gear/);

    const off = await runTributary([...args, '--no-eval-set', '--json']);
    expect(jsonOutput<{ intentCoverage: unknown }>(off).intentCoverage).toBeNull();
  });
});

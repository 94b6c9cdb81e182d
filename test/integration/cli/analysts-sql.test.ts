import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Envelope, TOPICS } from '@tributary/contracts';
import { EventProducer, pending } from '@tributary/kafka';
import {
  jsonOutput,
  runTributary,
  RuntimeHarness,
  taskTopics,
  testConfig,
  uniqueName,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * docs/analysts.md promises its SQL runs as written over an export. This test writes tasks whose
 * answers are known, exports them (Parquet, and into a DuckDB database with --duckdb), takes every
 * `sql` block out of the page and runs it through DuckDB's Node API, over both.
 */

type Row = Record<string, unknown>;

const harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '2' }));
const namespace = uniqueName('cli-sql');
const topics = taskTopics(namespace);
const dir = mkdtempSync(join(tmpdir(), 'tributary-sql-'));
const producers: EventProducer[] = [];

const item = (itemId: string, category: string, score: number) => ({
  itemId,
  title: `Title of ${itemId}`,
  category,
  price: 20,
  currency: 'EUR',
  reason: 'fits',
  score,
  evidence: [itemId],
});

function producer(service: string): EventProducer {
  const made = new EventProducer(harness.kafka, harness.serializer, { service });
  producers.push(made);
  return made;
}

/**
 * One task as the services write it: approved in round one (books and outdoor items), sent back once
 * and approved in round two (films), or failed in research.
 */
async function story(
  taskId: string,
  tenantId: string,
  userId: string,
  shape: 'approved' | 'revised' | 'failed',
) {
  const gateway = producer('gateway');
  const planner = producer('planner-agent');
  const research = producer('research-agent');
  const reviewer = producer('reviewer-agent');
  const request = { ...sampleValue(TOPICS.taskRequested).request, userId };
  const draftOf = (items: ReturnType<typeof item>[]) => ({
    ...sampleValue(TOPICS.researchCompleted).draft,
    recommendations: items,
  });
  const requested = await gateway.emit(
    topics.requested,
    sampleValue(TOPICS.taskRequested, { taskId, tenantId, request }),
  );
  const planned = await planner.emit(
    topics.planned,
    sampleValue(TOPICS.taskPlanned, { taskId, tenantId, request }),
    {
      causedBy: requested,
    },
  );
  if (shape === 'failed') {
    await research.emit(
      topics.failed,
      sampleValue(TOPICS.taskFailed, { taskId, tenantId, stage: 'researching' }),
      {
        causedBy: planned,
      },
    );
    return;
  }
  const rounds =
    shape === 'approved'
      ? [[item('bk-0007', 'books', 0.9), item('od-0031', 'outdoor', 0.8)]]
      : [[item('fm-0001', 'films', 0.5)], [item('fm-0002', 'films', 0.7)]];
  let cause: Envelope = planned;
  for (const [index, items] of rounds.entries()) {
    const round = index + 1;
    const last = round === rounds.length;
    const researched = pending(
      topics.research,
      sampleValue(TOPICS.researchCompleted, { taskId, tenantId, request, round, draft: draftOf(items) }),
      { causedBy: cause },
    );
    const [drafted] = await research.emitMany([researched]);
    // A research step that ran again after a crash (in acme-0 and globex-0): the same event, written twice.
    if (taskId.endsWith('-0') && round === 1) await research.emitMany([researched]);
    const [reviewed] = await reviewer.emitMany([
      pending(
        topics.review,
        sampleValue(TOPICS.reviewCompleted, {
          taskId,
          tenantId,
          request,
          round,
          draft: draftOf(items),
          verdict: last ? 'approved' : 'revise',
        }),
        { causedBy: drafted! },
      ),
    ]);
    cause = reviewed!;
    if (last)
      await reviewer.emit(
        topics.ready,
        sampleValue(TOPICS.recommendationReady, {
          taskId,
          tenantId,
          userId,
          rounds: round,
          recommendations: items,
        }),
        { causedBy: reviewed! },
      );
  }
}

/** The `sql` blocks of docs/analysts.md, in order: the view over a Parquet export first. */
const blocks = [
  ...readFileSync(fileURLToPath(new URL('../../../docs/analysts.md', import.meta.url)), 'utf8').matchAll(
    /```sql\n([\s\S]*?)```/g,
  ),
].map((match) => match[1]!);
const isView = (sql: string) => sql.includes('CREATE OR REPLACE VIEW events');

async function runAll(database: string, setup: string[], queries: readonly string[]): Promise<Row[][]> {
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    for (const statement of setup) await connection.run(statement);
    const results: Row[][] = [];
    for (const sql of queries) results.push((await connection.runAndReadAll(sql)).getRowObjectsJson());
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  await harness.prepare(...Object.values(topics));
  await Promise.all([
    ...['acme-0', 'acme-1', 'acme-2', 'acme-3'].map((id, i) => story(id, 'acme', `u${i % 2}`, 'approved')),
    story('globex-0', 'globex', 'u7', 'revised'),
    story('globex-1', 'globex', 'u8', 'revised'),
    story('globex-2', 'globex', 'u9', 'failed'),
  ]);
});

afterAll(async () => {
  for (const made of producers) await made.disconnect();
  const admin = await harness.admin.connected();
  await admin.deleteTopics({ topics: Object.values(topics).map((t) => t.name) }).catch(() => undefined);
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQL of docs/analysts.md', () => {
  it('runs as written over an export loaded with --duckdb and over the Parquet file, with the answers the tasks give', async () => {
    expect(blocks.filter(isView)).toHaveLength(1);
    const queries = blocks.filter((sql) => !isView(sql));
    expect(queries.length).toBeGreaterThanOrEqual(5);

    const run = await runTributary([
      'events',
      'export',
      '--namespace',
      namespace,
      '-o',
      join(dir, 'events.parquet'),
      '--duckdb',
      join(dir, 'tributary.duckdb'),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOutput<{ exported: number; duckdb: { table: string; rows: number } }>(run)).toMatchObject({
      exported: 39,
      duckdb: { table: 'events', rows: 39 },
    });

    const fromDatabase = await runAll(join(dir, 'tributary.duckdb'), [], queries);
    // The view over the Parquet file, as the page writes it, with the file in DuckDB's search path.
    const fromParquet = await runAll(
      ':memory:',
      [`SET file_search_path = '${dir}'`, blocks.find(isView)!],
      queries,
    );
    expect(fromParquet).toEqual(fromDatabase);

    const [latency, outcomes, reviseRates, topItems, volume] = fromDatabase as [
      Row[],
      Row[],
      Row[],
      Row[],
      Row[],
    ];
    // Each event once: the research result written twice counts once.
    expect(Object.fromEntries(latency.map((r) => [r.stage_result, r.n]))).toEqual({
      'task.planned': '7',
      'research.completed': '8',
      'review.completed': '8',
      'recommendation.ready': '6',
      'task.failed': '1',
    });
    expect(latency.every((r) => Number(r.p50_ms) >= 0 && Number(r.p99_ms) >= Number(r.p50_ms))).toBe(true);
    expect(outcomes.map((r) => [r.outcome, r.tasks])).toEqual([
      ['recommendation.ready', '6'],
      ['task.failed', '1'],
    ]);
    expect(reviseRates.map((r) => [r.category, r.reviews, r.sent_back, r.revise_rate_pct])).toEqual([
      ['books', '4', '0', 0],
      ['films', '4', '2', 50],
      ['outdoor', '4', '0', 0],
    ]);
    expect(topItems.map((r) => [r.item_id, r.times_recommended, r.users])).toEqual([
      ['bk-0007', '4', '2'],
      ['od-0031', '4', '2'],
      ['fm-0002', '2', '2'],
    ]);
    const perTenant = (tenant: string, column: string) =>
      volume.filter((r) => r.tenant_id === tenant).reduce((n, r) => n + Number(r[column]), 0);
    expect([
      perTenant('acme', 'submitted'),
      perTenant('acme', 'completed'),
      perTenant('acme', 'failed'),
    ]).toEqual([4, 4, 0]);
    expect([
      perTenant('globex', 'submitted'),
      perTenant('globex', 'completed'),
      perTenant('globex', 'failed'),
    ]).toEqual([3, 2, 1]);
    expect(perTenant('acme', 'events') + perTenant('globex', 'events')).toBe(39);
  });
});

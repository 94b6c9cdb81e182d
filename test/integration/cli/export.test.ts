import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { envelopeFromHeaders } from '@tributary/contracts';
import { toWireFormat } from '@tributary/kafka';
import {
  emitTaskStory,
  jsonOutput,
  runTributary,
  RuntimeHarness,
  taskTopics,
  testConfig,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What a raw kafkajs consume of the namespace's topics returned: the reference for every export. */
interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

interface Summary {
  read: number;
  exported: number;
  filteredOut: number;
  undecodable: number;
  topics: Record<string, { read: number; exported: number; undecodable: number }>;
  undecodableReasons: { reason: string; count: number; examples: string[] }[];
  maxRssBytes: number;
}

type Row = Record<string, unknown>;

const harness = new RuntimeHarness(testConfig('gateway'));
const namespace = uniqueName('cli-export');
const topics = taskTopics(namespace);
const dir = mkdtempSync(join(tmpdir(), 'tributary-export-'));
const TASKS = 24;
const raw: RawRecord[] = [];
const decoded = new Map<string, unknown>();
const coordinates = (r: { topic: string; partition: number; offset: string | number }) =>
  `${r.topic}/${r.partition}/${r.offset}`;

beforeAll(async () => {
  await harness.prepare(...Object.values(topics));
  await Promise.all(
    Array.from({ length: TASKS }, (_, i) =>
      emitTaskStory(harness.producer, topics, `task-${i}`, i % 3 === 0 ? 'globex' : 'acme', {
        userId: `u${i % 4}`,
      }),
    ),
  );
  // Two records no schema can read: an unknown schema id, and bytes that are not the wire format.
  await harness.producer.send({
    topic: topics.progress.name,
    messages: [
      { key: 'task-0', value: toWireFormat(1_999_999_999, Buffer.from([2, 4])) },
      { key: 'task-1', value: Buffer.from('not avro') },
    ],
  });

  // The raw consume every export is checked against.
  const admin = await harness.admin.connected();
  for (const topic of Object.values(topics)) {
    const count = (await admin.fetchTopicOffsets(topic.name)).reduce((n, p) => n + Number(p.high), 0);
    if (count === 0) continue;
    const consumer = harness.kafka.consumer({ groupId: uniqueName('raw'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    const got: RawRecord[] = [];
    await consumer.subscribe({ topics: [topic.name], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        got.push({ topic: topic.name, partition, message });
        return Promise.resolve();
      },
    });
    await waitFor(() => got.length >= count, {
      timeoutMs: 60_000,
      description: `${count} raw records of ${topic.name}`,
    });
    await consumer.disconnect();
    raw.push(...got);
    for (const record of got)
      if (record.message.value?.[0] === 0 && record.message.value.length > 6)
        await harness.serializer
          .decode(topic as never, record.message.value)
          .then((value) => decoded.set(coordinates({ ...record, offset: record.message.offset }), value))
          .catch(() => undefined);
  }
});

afterAll(async () => {
  const admin = await harness.admin.connected();
  await admin.deleteTopics({ topics: Object.values(topics).map((t) => t.name) }).catch(() => undefined);
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

function readJsonl(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);
}

async function duck<T = Row>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('tributary events export', () => {
  it('exports a range count for count with a raw consume, every value decoded, headers as columns; undecodable records with why, exit 5', async () => {
    expect(raw).toHaveLength(TASKS * 9 + 2);
    const file = join(dir, 'all.jsonl');
    const run = await runTributary(['events', 'export', '--namespace', namespace, '-o', file, '--json']);
    expect(run.code, run.stderr).toBe(5);
    const summary = jsonOutput<Summary>(run);
    expect(summary).toMatchObject({ read: raw.length, exported: raw.length, filteredOut: 0, undecodable: 2 });
    expect(summary.topics[topics.progress.name]).toEqual({
      read: TASKS * 4 + 2,
      exported: TASKS * 4 + 2,
      undecodable: 2,
    });
    expect(summary.undecodableReasons.map((r) => r.reason).sort()).toEqual([
      expect.stringMatching(/^DecodeError: not in the Confluent wire format/),
      expect.stringMatching(/^DecodeError: unknown schema id 1999999999/),
    ]);

    const rows = readJsonl(file);
    expect(rows.map((r) => coordinates(r as never)).sort()).toEqual(
      raw.map((r) => coordinates({ ...r, offset: r.message.offset })).sort(),
    );
    // The short catalogue name of each record's topic, whatever the namespace.
    expect(new Set(rows.map((r) => r.event_kind))).toEqual(
      new Set([
        'task.requested',
        'task.planned',
        'task.progress',
        'research.completed',
        'review.completed',
        'recommendation.ready',
      ]),
    );
    const byCoordinates = new Map(rows.map((r) => [coordinates(r as never), r]));
    let checked = 0;
    for (const record of raw) {
      const row = byCoordinates.get(coordinates({ ...record, offset: record.message.offset }))!;
      const value = decoded.get(coordinates({ ...record, offset: record.message.offset }));
      if (value === undefined) {
        expect(row.value).toBeNull();
        expect(row.decode_error).toMatch(/^(not in the Confluent wire format|unknown schema id)/);
        continue;
      }
      const envelope = envelopeFromHeaders(record.message.headers);
      expect(row).toMatchObject({
        key: record.message.key?.toString(),
        timestamp: new Date(Number(record.message.timestamp)).toISOString(),
        event_id: envelope.eventId,
        event_type: envelope.eventType,
        correlation_id: envelope.correlationId,
        causation_id: envelope.causationId,
        tenant_id: envelope.tenantId,
        producer: 'tests',
        traceparent: envelope.traceparent,
        trace_id: envelope.traceparent.split('-')[1],
        occurred_at: envelope.occurredAt,
        decode_error: null,
      });
      expect(row.value).toEqual(value);
      checked += 1;
    }
    expect(checked).toBe(TASKS * 9);
  });

  it('writes Parquet in row groups and CSV that hyparquet and DuckDB read back, the same records', async () => {
    const parquet = join(dir, 'all.parquet');
    const csv = join(dir, 'all.csv');
    // Small row groups, so the file has many: memory is held per row group, not per export.
    const toParquet = await runTributary([
      'events',
      'export',
      '--namespace',
      namespace,
      '-o',
      parquet,
      '--row-group',
      '50',
    ]);
    expect(toParquet.code, toParquet.stderr).toBe(5);
    expect(toParquet.stdout).toMatch(/exported 218 record\(s\) as parquet/);
    const toCsv = await runTributary(['events', 'export', '--namespace', namespace, '-o', csv]);
    expect(toCsv.code, toCsv.stderr).toBe(5);

    const objects = await parquetReadObjects({ file: await asyncBufferFromFile(parquet) });
    expect(objects).toHaveLength(raw.length);
    const ids = new Set(objects.map((o) => o.event_id as string));
    expect(ids.size).toBe(TASKS * 9 + 1); // the two undecodable records have no envelope headers
    const planned = objects.find((o) => o.topic === topics.planned.name)!;
    // The value is JSON text (a string column), as in CSV.
    const plannedValue = JSON.parse(planned.value as string) as {
      taskId: string;
      plan: { steps: unknown[] };
    };
    expect(plannedValue.taskId).toMatch(/^task-/);
    expect(plannedValue.plan.steps.length).toBeGreaterThan(0);
    expect(planned.timestamp).toBeInstanceOf(Date);

    const [fromParquet] = await duck<{ n: string; groups: string; tasks: string; approved: string }>(`
      SELECT count(*) AS n, count(DISTINCT correlation_id) AS tasks,
             count(*) FILTER (WHERE value->>'$.verdict' = 'approved') AS approved,
             (SELECT count(*) FROM parquet_metadata('${parquet}') WHERE column_id = 0) AS groups
      FROM read_parquet('${parquet}')`);
    expect(fromParquet).toEqual({
      n: String(raw.length),
      tasks: String(TASKS),
      approved: String(TASKS),
      groups: '5',
    });

    const [fromCsv] = await duck<{ n: string; ready: string; tenants: string }>(`
      SELECT count(*) AS n,
             count(*) FILTER (WHERE CAST(value AS JSON)->>'$.userId' LIKE 'u%' AND event_type LIKE '%recommendation.ready%') AS ready,
             count(DISTINCT tenant_id) AS tenants
      FROM read_csv('${csv}', header = true)`);
    expect(fromCsv).toEqual({ n: String(raw.length), ready: String(TASKS), tenants: '2' });
  });

  it('filters by tenant, event type, task, offsets and time, as the raw records say', async () => {
    const byTenant = jsonOutput<Summary>(
      await runTributary([
        'events',
        'export',
        '--namespace',
        namespace,
        '--tenant',
        'globex',
        '--event-type',
        'task.requested',
        '-o',
        join(dir, 'globex.jsonl'),
        '--json',
      ]),
    );
    expect(byTenant.exported).toBe(TASKS / 3);
    expect(
      readJsonl(join(dir, 'globex.jsonl')).every(
        (r) => r.tenant_id === 'globex' && r.topic === topics.requested.name,
      ),
    ).toBe(true);

    const oneTask = await runTributary(['events', 'export', '--namespace', namespace, '--task', 'task-5']);
    expect(oneTask.code, oneTask.stderr).toBe(0);
    const taskRows = oneTask.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    expect(taskRows).toHaveLength(9);
    expect(oneTask.stderr).toMatch(/exported 9 record\(s\) as jsonl to stdout/);

    // Offsets [1, 2] of every partition of one topic.
    const offsets = jsonOutput<Summary>(
      await runTributary([
        'events',
        'export',
        '--namespace',
        namespace,
        '--topic',
        'task.progress',
        '--from-offset',
        '1',
        '--to-offset',
        '2',
        '-o',
        join(dir, 'offsets.jsonl'),
        '--json',
      ]),
    );
    const progressRaw = raw.filter((r) => r.topic === topics.progress.name);
    expect(offsets.read).toBe(progressRaw.filter((r) => [1, 2].includes(Number(r.message.offset))).length);

    // A time window: per partition, from the first record at or after --from to the first at or after --to.
    const times = progressRaw.map((r) => Number(r.message.timestamp)).sort((a, b) => a - b);
    const from = times[Math.floor(times.length / 3)]!;
    const to = times[Math.floor((times.length * 2) / 3)]!;
    const expected = progressRaw.filter((r) => {
      const same = progressRaw.filter((o) => o.partition === r.partition);
      const offsetAt = (at: number) =>
        Math.min(
          ...same.filter((o) => Number(o.message.timestamp) >= at).map((o) => Number(o.message.offset)),
          Infinity,
        );
      const offset = Number(r.message.offset);
      return offset >= offsetAt(from) && offset < offsetAt(to);
    }).length;
    const window = jsonOutput<Summary>(
      await runTributary([
        'events',
        'export',
        '--namespace',
        namespace,
        '--topic',
        'task.progress',
        '--from',
        new Date(from).toISOString(),
        '--to',
        new Date(to).toISOString(),
        '-o',
        join(dir, 'window.jsonl'),
        '--json',
      ]),
    );
    expect(window.read).toBe(expected);
    expect(window.read).toBeGreaterThan(0);
    expect(window.read).toBeLessThan(progressRaw.length);
  });

  it('refuses an unknown topic and Parquet without a file with exit code 2', async () => {
    const unknown = await runTributary(['events', 'export', '--topic', 'task.teleported']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown topic "task\.teleported"/);
    const noFile = await runTributary(['events', 'export', '--format', 'parquet']);
    expect(noFile.code).toBe(2);
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  jsonOutput,
  produceTaskStoriesFast,
  runTributary,
  RuntimeHarness,
  taskTopics,
  testConfig,
  uniqueName,
} from '@tributary/testing';
import { afterAll, describe, expect, it } from 'vitest';

const EVENTS = 200_000;
const RSS_LIMIT = 200 * 1024 * 1024;

interface Summary {
  exported: number;
  undecodable: number;
  maxRssBytes: number;
  elapsedMs: number;
}

const harness = new RuntimeHarness(testConfig('gateway'));
const namespace = uniqueName('cli-volume');
const topics = taskTopics(namespace);
const dir = mkdtempSync(join(tmpdir(), 'tributary-volume-'));

afterAll(async () => {
  // 200,000 events are about 200 MB on the shared broker: give the space back.
  const admin = await harness.admin.connected();
  await admin.deleteTopics({ topics: Object.values(topics).map((t) => t.name) }).catch(() => undefined);
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tributary events export at volume', () => {
  it('exports 200,000 events to Parquet and to JSONL within 200 MB of resident memory, as the export process measures it', async () => {
    await harness.prepare(...Object.values(topics));
    const producing = performance.now();
    const written = await produceTaskStoriesFast(harness.kafka, harness.serializer, topics, EVENTS / 10);
    const produceMs = performance.now() - producing;
    expect(written).toBe(EVENTS);

    for (const [format, file] of [
      ['parquet', join(dir, 'volume.parquet')],
      ['jsonl', join(dir, 'volume.jsonl')],
    ] as const) {
      const run = await runTributary(
        [
          'events',
          'export',
          '--namespace',
          topics.requested.name.split('.tributary.')[0]!,
          '-o',
          file,
          '--json',
        ],
        {},
        { timeoutMs: 560_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      const summary = jsonOutput<Summary>(run);
      expect(summary.exported).toBe(EVENTS);
      expect(summary.undecodable).toBe(0);
      expect(summary.maxRssBytes).toBeGreaterThan(0);
      expect(summary.maxRssBytes).toBeLessThan(RSS_LIMIT);
      expect(statSync(file).size).toBeGreaterThan(EVENTS * 100);
      // The figures, for the record (timings are never asserted on this shared machine).
      console.info(
        `${format}: ${EVENTS} events (produced in ${Math.round(produceMs)} ms) exported in ${summary.elapsedMs} ms, ` +
          `peak RSS ${Math.round(summary.maxRssBytes / 1024 / 1024)} MB, file ${Math.round(statSync(file).size / 1024 / 1024)} MB`,
      );
    }
  }, 1_200_000);
});

/**
 * 7: the rebuild command (rebuild-projection, as shipped) against a raw kafkajs consume of the same
 * topics and offset ranges, right after the end-to-end scenario: its tasks are what is rebuilt, and
 * the services are idle meanwhile.
 */
import { ALL_TOPICS } from '@tributary/contracts';
import { connectMongo } from '@tributary/platform';
import { rawConsume, runRebuild } from '../lib/rebuild';
import { fmt } from '../lib/report';
import { ratio } from '../lib/stats';
import { type ServiceScenario } from './scenario';

export const rebuild: ServiceScenario = {
  name: 'rebuild',
  measures: 'rebuild of the read model from the topics against a raw consume',
  needsServices: true,
  async run(bench, stage) {
    const { params, kafka, cleanup, report, figures, log } = bench;
    const since = stage.loadSince ?? bench.startedAt;
    log(
      `rebuild: raw consume of the task topics since ${since.toISOString()}, then the rebuild command (--batch ${params.rebuildBatch})`,
    );
    const topics = ALL_TOPICS.map((t) => t.name);
    const raw = await rawConsume(kafka, topics, since);
    // Into a database of its own, so nothing the services left in theirs (FerretDB 1.x keeps a
    // database's connections busy after some commands, see docs/benchmarks.md) can stall it.
    const rebuildUri = Object.assign(new URL(bench.mongoUri), {
      pathname: `/${bench.database}_rebuild`,
    }).toString();
    cleanup.add('rebuild database', async () => {
      if (params.keepDb) return;
      const connection = await connectMongo(rebuildUri);
      await connection.dropDatabase();
      await connection.close();
    });
    const rebuilt = await runRebuild(
      bench.appRoot,
      { TRIBUTARY_MONGO_URI: rebuildUri, TRIBUTARY_LOG_LEVEL: 'warn' },
      {
        into: 'bench',
        since,
        batch: params.rebuildBatch,
        nodeArgs: params.profile ? ['--cpu-prof', `--cpu-prof-dir=${bench.profileDir}`] : [],
        timeoutMs: params.rebuildTimeoutS * 1000,
      },
    );
    const rawRate = raw.events / (raw.ms / 1000);
    const readRate = rebuilt.events / (rebuilt.readMs / 1000);
    figures['rebuild.perSecond'] = rebuilt.eventsPerSecond;
    figures['rebuild.raw'] = rawRate;
    report.rows.push(
      {
        scenario: '7 rebuild',
        what: `raw kafkajs consume of the ${topics.length} task topics (${raw.events} records, ${fmt(raw.ms, 0)} ms)`,
        throughput: rawRate,
        unit: 'events/s',
      },
      {
        scenario: '7 rebuild',
        what: `rebuild-projection, its reading part (readRanges + Avro decode, overlapped with writing; done after ${fmt(rebuilt.readMs, 0)} ms)`,
        throughput: readRate,
        unit: 'events/s',
        baseline: 'raw consume',
        ratio: ratio(readRate, rawRate),
        ratioOf: 'throughput',
      },
      {
        scenario: '7 rebuild',
        what: `rebuild-projection --batch ${params.rebuildBatch}, whole (${rebuilt.events} events, ${rebuilt.tasks} tasks, ${fmt(rebuilt.totalMs, 0)} ms)`,
        throughput: rebuilt.eventsPerSecond,
        unit: 'events/s',
        baseline: 'raw consume',
        ratio: ratio(rebuilt.eventsPerSecond, rawRate),
        ratioOf: 'throughput',
        note: raw.events === rebuilt.events ? undefined : `raw consume saw ${raw.events} records`,
      },
    );
    report.details.rebuild = { raw, rebuilt };
    log(`rebuild: ${fmt(rebuilt.eventsPerSecond, 0)} events/s, raw consume ${fmt(rawRate, 0)} events/s`);
  },
};

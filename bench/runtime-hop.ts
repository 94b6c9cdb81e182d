/**
 * Round-trip latency of one hop through the runtime versus plain kafkajs, against the same broker
 * in the same run (scenarios 1 and 2 of bench/run.ts, on their own):
 *
 *   raw:     producer → topic A → consumer A (produces) → topic B → consumer B measures
 *   runtime: EventProducer → A → ParallelConsumer A (emits with causedBy) → B → ParallelConsumer B
 *            (registry encode/decode, envelope headers, offset tracking, coalesced commits)
 *
 * One message in flight at a time, so the figures are latencies, not throughput.
 *
 *   node scripts/run-ts.mjs bench/runtime-hop.ts            # N=2000 after 200 warm-up round trips
 *   BENCH_N=500 BENCH_WARMUP=50 node scripts/run-ts.mjs bench/runtime-hop.ts
 *
 * Brokers and registry come from the usual TRIBUTARY_* variables; the run's topics and groups are
 * deleted at the end.
 */
import { loadConfig } from '@tributary/config';
import { createKafkaClient } from '@tributary/kafka';
import { logLevel } from 'kafkajs';
import { rawChain, runtimeChain, sequential } from './lib/chains';
import { Cleanup } from './lib/cleanup';
import { QuietLogger } from './lib/quiet-logger';
import { ratio, summarize, type Summary } from './lib/stats';

const N = Number(process.env.BENCH_N ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);

async function main(): Promise<void> {
  const config = loadConfig('gateway', { ...process.env });
  const runId = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
  const logger = new QuietLogger();
  const kafka = createKafkaClient(config, { clientId: `bench-${runId}`, logLevel: logLevel.ERROR, logger });
  const cleanup = new Cleanup(kafka, config);
  const ctx = { config, kafka, runId, cleanup, logger };
  try {
    console.log(
      `runtime-hop: ${N} round trips after ${WARMUP} warm-up, brokers ${config.kafka.brokers.join(',')}`,
    );
    const measure = async (chain: Awaited<ReturnType<typeof rawChain>>): Promise<Summary> => {
      const stats = summarize(await sequential(chain, WARMUP, N));
      await chain.close();
      return stats;
    };
    const rawStats = await measure(await rawChain(ctx, { stages: 2, autoCommit: true, label: 'raw' }));
    const floorStats = await measure(await rawChain(ctx, { stages: 2, autoCommit: false, label: 'floor' }));
    const runtimeStats = await measure(await runtimeChain(ctx, { stages: 2, label: 'runtime' }));
    const row = (label: string, s: Summary) =>
      `${label.padEnd(24)} p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   p99.9 ${s.p999.toFixed(2).padStart(7)} ms   mean ${s.mean.toFixed(2).padStart(7)} ms`;
    const ratios = (label: string, over: Summary, under: Summary) =>
      `${label.padEnd(24)} p50 ${ratio(over.p50, under.p50).toFixed(2)}×   p99 ${ratio(over.p99, under.p99).toFixed(2)}×   mean ${ratio(over.mean, under.mean).toFixed(2)}×`;
    console.log(row('raw kafkajs', rawStats));
    console.log(row('raw kafkajs, no commits', floorStats));
    console.log(row('runtime', runtimeStats));
    console.log(ratios('runtime / raw', runtimeStats, rawStats));
    console.log(ratios('runtime / no commits', runtimeStats, floorStats));
  } finally {
    await cleanup.run((line) => console.error(line));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

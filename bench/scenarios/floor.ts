/**
 * 1 and 2: the floor (a raw kafkajs round trip, produce → consume → produce → consume, no commits)
 * and the same hop through the runtime, one message at a time; raw kafkajs with autoCommit, as
 * usually written, beside them.
 */
import { rawChain, runtimeChain, sequential } from '../lib/chains';
import { ms, times } from '../lib/report';
import { ratio, summarize } from '../lib/stats';
import { type StackScenario } from './scenario';

export const floor: StackScenario = {
  name: 'floor',
  measures: 'floor (raw kafkajs round trip) and the hop through the runtime',
  needsServices: false,
  async run({ params, config, kafka, runId, cleanup, logger, report, figures, log }) {
    const ctx = { config, kafka, runId, cleanup, logger };
    log(`floor and hop: ${params.hopN} round trips each after ${params.hopWarmup} warm-up`);
    const floorChain = await rawChain(ctx, { stages: 2, autoCommit: false, label: 'raw kafkajs' });
    const floorStats = summarize(await sequential(floorChain, params.hopWarmup, params.hopN));
    await floorChain.close();
    const runtime = await runtimeChain(ctx, { stages: 2, label: 'runtime hop' });
    const hop = summarize(await sequential(runtime, params.hopWarmup, params.hopN));
    await runtime.close();
    const auto = await rawChain(ctx, { stages: 2, autoCommit: true, label: 'raw kafkajs autoCommit' });
    const autoStats = summarize(await sequential(auto, Math.min(50, params.hopWarmup), params.autoCommitN));
    await auto.close();
    figures['floor.p50'] = floorStats.p50;
    figures['hop.p50'] = hop.p50;
    report.rows.push(
      {
        scenario: '1 floor',
        what: 'raw kafkajs round trip: produce → consume → produce → consume, no commits',
        latency: floorStats,
        note: `per transit ≈ ${ms(floorStats.p50 / 2)} p50`,
      },
      {
        scenario: '2 hop',
        what: 'the same hop through the runtime (registry Avro, envelope, key-parallel consumer, commits)',
        latency: hop,
        baseline: 'floor',
        ratio: ratio(hop.p50, floorStats.p50),
        ratioOf: 'p50',
      },
      {
        scenario: '2 hop',
        what: 'raw kafkajs with autoCommit (as usually written)',
        latency: autoStats,
        baseline: 'floor',
        ratio: ratio(autoStats.p50, floorStats.p50),
        ratioOf: 'p50',
      },
    );
    log(`floor p50 ${ms(floorStats.p50)}, hop p50 ${ms(hop.p50)} (${times(ratio(hop.p50, floorStats.p50))})`);
  },
};

/**
 * 6: the queue peer. The same 3-step chain of no-op steps through BullMQ on Redis, raw kafkajs and
 * the runtime, one message at a time and then open loop at one rate.
 */
import { bullmqChain } from '../lib/bullmq-chain';
import { type Chain, chainOpenLoop, rawChain, runtimeChain, sequential } from '../lib/chains';
import { findRedis, startRedis } from '../lib/redis';
import { ms } from '../lib/report';
import { openLoopFigures, ratio, summarize } from '../lib/stats';
import { type StackScenario } from './scenario';

export const queue: StackScenario = {
  name: 'queue',
  measures: "BullMQ peer and the runtime's 3-step chain",
  needsServices: false,
  async run({ params, config, kafka, runId, cleanup, logger, report, figures, log }) {
    const ctx = { config, kafka, runId, cleanup, logger };
    const chainCount = Math.round(params.chainRate * params.chainSeconds);
    const measureChain = async (chain: Chain) => {
      const one = summarize(await sequential(chain, 50, params.chainN));
      const open = openLoopFigures(await chainOpenLoop(chain, params.chainRate, chainCount, 1_000_000));
      await chain.close();
      return { one, open };
    };
    log(
      `3-step chains: ${params.chainN} one at a time, then ${params.chainRate}/s open loop for ${params.chainSeconds} s`,
    );
    const runtime3 = await measureChain(
      await runtimeChain(ctx, { stages: 3, label: 'runtime 3-step chain' }),
    );
    const raw3 = await measureChain(
      await rawChain(ctx, { stages: 3, autoCommit: false, label: 'raw kafkajs 3-step chain' }),
    );
    const binary = findRedis(log);
    if (binary === undefined) {
      report.skipped.push('queue peer: redis-server is not installed and could not be installed (not root)');
      log('queue peer skipped: no redis-server');
      return;
    }
    const redis = await startRedis(binary);
    const stopRedis = cleanup.add('redis-server', () => redis.stop());
    const bull = await measureChain(
      await bullmqChain(cleanup, {
        port: redis.port,
        stages: 3,
        concurrency: config.runtime.concurrency,
        label: 'BullMQ 3-step chain',
        prefix: `bench-${runId}`,
      }),
    );
    await stopRedis();
    figures['queue.bullmq.p50'] = bull.open.latency.p50;
    figures['queue.runtime.p50'] = runtime3.open.latency.p50;
    report.rows.push(
      {
        scenario: '6 queue peer',
        what: 'BullMQ 3-step chain on Redis, one at a time',
        latency: bull.one,
      },
      {
        scenario: '6 queue peer',
        what: `BullMQ 3-step chain, open loop ${params.chainRate}/s`,
        latency: bull.open.latency,
        throughput: bull.open.perSecond,
        unit: 'msg/s',
        note: bull.open.failed > 0 ? `${bull.open.failed} lost` : undefined,
      },
      {
        scenario: '6 queue peer',
        what: 'raw kafkajs 3-step chain (no commits), one at a time',
        latency: raw3.one,
        baseline: 'BullMQ, one at a time',
        ratio: ratio(raw3.one.p50, bull.one.p50),
        ratioOf: 'p50',
      },
      {
        scenario: '6 queue peer',
        what: `raw kafkajs 3-step chain (no commits), open loop ${params.chainRate}/s`,
        latency: raw3.open.latency,
        throughput: raw3.open.perSecond,
        unit: 'msg/s',
        baseline: 'BullMQ, open loop',
        ratio: ratio(raw3.open.latency.p50, bull.open.latency.p50),
        ratioOf: 'p50',
      },
      {
        scenario: '6 queue peer',
        what: 'runtime 3-step chain, one at a time',
        latency: runtime3.one,
        baseline: 'BullMQ, one at a time',
        ratio: ratio(runtime3.one.p50, bull.one.p50),
        ratioOf: 'p50',
      },
      {
        scenario: '6 queue peer',
        what: `runtime 3-step chain, open loop ${params.chainRate}/s`,
        latency: runtime3.open.latency,
        throughput: runtime3.open.perSecond,
        unit: 'msg/s',
        baseline: 'BullMQ, open loop',
        ratio: ratio(runtime3.open.latency.p50, bull.open.latency.p50),
        ratioOf: 'p50',
      },
    );
    log(`BullMQ open-loop p50 ${ms(bull.open.latency.p50)}, runtime ${ms(runtime3.open.latency.p50)}`);
  },
};

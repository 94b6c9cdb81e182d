/**
 * 3 and 8: end to end through the public API with the offline LLM (HTTP submit → result readable on
 * the SSE stream), open loop below capacity, then its capacity: closed loops with more and more tasks
 * kept in flight until the throughput stops growing (saturation); the services' RSS under that load.
 */
import { CONSUMER_GROUPS } from '@tributary/contracts';
import {
  type ClosedLoopResult,
  closedLoop,
  followedTask,
  loadFigures,
  stageBreakdown,
  taskLoad,
  windowRate,
} from '../lib/e2e';
import { type PhaseCost, waitQuiet } from '../lib/cost';
import { type CatchUp, waitCaughtUp } from '../lib/groups';
import { fmt, ms } from '../lib/report';
import { breakdownLines, traceSection } from '../lib/sections';
import { RssSampler } from '../lib/services';
import { ratio, sleep } from '../lib/stats';
import { type ServiceScenario } from './scenario';

export const e2e: ServiceScenario = {
  name: 'e2e',
  measures: 'end to end through the API (offline LLM), its capacity, and memory',
  needsServices: true,
  async run({ params, kafka, runId, report, figures, log }, stage) {
    const { gatewayUrl, traces, services } = stage;
    log(`end to end: ${params.e2eWarmup} warm-up tasks, then ${params.e2eRate}/s for ${params.e2eSeconds} s`);
    stage.loadSince = new Date();
    await taskLoad(gatewayUrl, params.e2eRate, params.e2eWarmup, 60_000, 0, runId);
    const sampler = new RssSampler(services).start();
    for (const trace of traces.values()) trace.record(true);
    const e2eCost = await stage.cost();
    const run = await taskLoad(
      gatewayUrl,
      params.e2eRate,
      Math.round(params.e2eRate * params.e2eSeconds),
      60_000,
      params.e2eWarmup,
      runId,
    );
    const e2eSpent = await e2eCost.end();
    const underLoad = sampler.stop();
    for (const trace of traces.values()) trace.record(false);
    const loaded = loadFigures(run);
    await stage.recordCost(`end to end, ${params.e2eRate} tasks/s`, 'e2e', e2eSpent, loaded.completed);
    if (traces.size > 0) {
      const { lines, all } = traceSection(traces, loaded.completed);
      report.sections.push({ title: 'MongoDB commands during the end-to-end run (--mongo-trace)', lines });
      report.details.mongoTrace = all;
    }
    const floorP50 = figures['floor.p50'];
    const transitBound = floorP50 === undefined ? undefined : 2 * floorP50 + 10;
    figures['e2e.p50'] = loaded.latency.p50;
    if (transitBound !== undefined) figures['e2e.transitBound'] = transitBound;
    const lastIntended = run.firstIntendedAt + (run.samples.length * 1000) / params.e2eRate;
    const steady = windowRate(
      run,
      run.firstIntendedAt + 0.2 * (lastIntended - run.firstIntendedAt),
      lastIntended,
    );
    const breakdown = await stageBreakdown(gatewayUrl, run.samples);
    report.rows.push({
      scenario: '3 end to end',
      what: `HTTP submit → result readable (SSE), offline LLM, open loop ${params.e2eRate} tasks/s`,
      latency: loaded.latency,
      throughput: loaded.perSecond,
      unit: 'tasks/s',
      baseline: transitBound === undefined ? undefined : '4 transits × floor/2 + 10 ms',
      ratio: transitBound === undefined ? undefined : ratio(loaded.latency.p50, transitBound),
      ratioOf: transitBound === undefined ? undefined : 'p50',
      note: `${loaded.completed}/${loaded.submitted} completed${loaded.failedTasks ? `, ${loaded.failedTasks} failed` : ''}${loaded.errors ? `, ${loaded.errors} errors` : ''}; steady ${fmt(steady, 1)} tasks/s`,
    });
    const bullP50 = figures['queue.bullmq.p50'];
    if (bullP50 !== undefined) {
      report.rows.push({
        scenario: '3 end to end',
        what: 'the same end-to-end p50 against the BullMQ 3-step chain',
        latency: loaded.latency,
        baseline: 'BullMQ open loop',
        ratio: ratio(loaded.latency.p50, bullP50),
        ratioOf: 'p50',
      });
    }
    report.sections.push({
      title: 'End to end: where the time goes',
      lines: [
        `Completed tasks of the end-to-end run; instants from each task's event stream (minted by the producing service) and the client. Offered ${params.e2eRate} tasks/s, sustained ${fmt(loaded.perSecond, 2)} tasks/s (steady window ${fmt(steady, 2)}), accept p50 ${ms(loaded.accept.p50)}.`,
        '',
        ...breakdownLines(breakdown),
        ...(loaded.firstErrors.length > 0 ? ['', `Errors: ${loaded.firstErrors.join('; ')}`] : []),
      ],
    });
    report.details.e2e = { figures: loaded, steady, breakdown };
    await sleep(3_000);
    stage.memory['peak under e2e load'] = Object.fromEntries(
      Object.entries(underLoad).map(([k, v]) => [k, v.peak]),
    );
    stage.memory['mean under e2e load'] = Object.fromEntries(
      Object.entries(underLoad).map(([k, v]) => [k, v.mean]),
    );
    stage.memory['idle after load'] = { ...services.rss() };

    // Saturation: closed loops of K tasks in flight, K doubling from --capacity-inflight while the
    // throughput still grows by 10 % or more (up to --capacity-max-inflight); the best step is the
    // system's capacity, and its CPU per task the cost at saturation.
    const steps: { inFlight: number; result: ClosedLoopResult; spent: PhaseCost; drain: CatchUp }[] = [];
    let firstIndex = 50_000;
    for (let inFlight = params.capacityInFlight; inFlight <= params.capacityMaxInFlight; inFlight *= 2) {
      log(
        `end to end, capacity: ${inFlight} tasks kept in flight for ${params.capacitySeconds} s (after 10 s)`,
      );
      const meter = await stage.cost();
      const result = await closedLoop(
        inFlight,
        10_000,
        params.capacitySeconds * 1000,
        followedTask(gatewayUrl, runId),
        firstIndex,
      );
      // Clients follow their tasks on the log, so the last ones can end before the store has them:
      // the meter runs on until the projection has caught up, so its work for these tasks is counted.
      const drain = await waitCaughtUp(kafka, CONSUMER_GROUPS.projection, 180_000);
      const spent = await meter.end();
      firstIndex += result.samples.length;
      await waitQuiet(kafka, 1_000, 30_000);
      log(
        `end to end, capacity at ${inFlight} in flight: ${fmt(result.perSecond, 2)} tasks/s, p50 ${ms(result.latency.p50)}; ${drainText(drain)}`,
      );
      const best = Math.max(...steps.map((step) => step.result.perSecond));
      steps.push({ inFlight, result, spent, drain });
      if (steps.length > 1 && result.perSecond < best * 1.1) break;
    }
    const saturated = steps.reduce((a, b) => (b.result.perSecond > a.result.perSecond ? b : a));
    const capacity = saturated.result;
    figures['capacity.perSecond'] = capacity.perSecond;
    await stage.recordCost(
      `end to end, capacity (${saturated.inFlight} in flight)`,
      'capacity',
      saturated.spent,
      capacity.samples.filter((s) => s.status === 'completed').length,
    );
    for (const { inFlight, result, drain } of steps) {
      report.rows.push({
        scenario: '3 end to end',
        what: `capacity: ${inFlight} tasks kept in flight (closed loop), offline LLM${inFlight === saturated.inFlight ? ' (saturation: the best step)' : ''}`,
        latency: result.latency,
        throughput: result.perSecond,
        unit: 'tasks/s',
        note: `${result.windowCompleted} completed in the ${params.capacitySeconds} s window; ${drainText(drain)}${result.errors ? `; ${result.errors} errors: ${result.firstErrors.join('; ')}` : ''}`,
      });
    }
    report.details.capacity = {
      ...capacity,
      samples: undefined,
      inFlight: saturated.inFlight,
      steps: steps.map(({ inFlight, result, drain }) => ({
        drain,
        inFlight,
        perSecond: result.perSecond,
        latency: result.latency,
      })),
    };
    log(`end to end, capacity: ${fmt(capacity.perSecond, 2)} tasks/s at ${saturated.inFlight} in flight`);
    log(
      `end to end p50 ${ms(loaded.latency.p50)}, p99 ${ms(loaded.latency.p99)}, ${fmt(loaded.perSecond)} tasks/s`,
    );
  },
};

/** What the projection had left when a closed loop ended, and how long it took to work it off. */
function drainText({ caughtUp, behind, ms: took }: CatchUp): string {
  return caughtUp
    ? `the projection ${behind} events behind at the end, caught up ${fmt(took / 1000, 1)} s later (metered)`
    : `the projection still behind ${fmt(took / 1000, 0)} s after the end (${behind} events behind at the end)`;
}

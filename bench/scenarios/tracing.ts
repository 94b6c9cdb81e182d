/**
 * 9: what tracing costs. The end-to-end run and the hop with OpenTelemetry tracing on (every span
 * sampled and exported over OTLP to a real Jaeger started for the run) beside the same with tracing
 * off, in this run: the four services restarted for each mode, the modes alternated over rounds so
 * that the machine's drift falls on both, the same open-loop rate and number of tasks in each. Then
 * the hop in the bench process, off and on. Jaeger's query API says how many of the measured tasks
 * it holds a trace of, with spans from all four services.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { loadConfig } from '@tributary/config';
import { startTracing, stopTracing } from '@tributary/tracing';
import { runtimeChain, sequential } from '../lib/chains';
import { STACK_SERVERS } from '../lib/cost';
import { loadFigures, type LoadRun, stageBreakdown, taskLoad } from '../lib/e2e';
import { fmt, markdownTable, ms, times } from '../lib/report';
import { breakdownLines } from '../lib/sections';
import { AGENTS, SERVICE_NAMES } from '../lib/services';
import { ratio, summarize } from '../lib/stats';
import { type ServiceScenario } from './scenario';

type Mode = 'off' | 'on';

/** The services whose spans a task's trace must hold: the service name each exports under. */
const TRACED_SERVICES = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'] as const;

interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly { readonly processID: string }[];
  readonly processes: Record<string, { readonly serviceName: string }>;
}

/** The traces Jaeger holds of the gateway's spans since an instant (its query API, JSON). */
async function gatewayTraces(uiUrl: string, sinceMs: number, limit: number): Promise<JaegerTrace[]> {
  const url = new URL('/api/traces', uiUrl);
  url.searchParams.set('service', 'gateway');
  url.searchParams.set('start', String(sinceMs * 1000));
  url.searchParams.set('end', String(Date.now() * 1000));
  url.searchParams.set('limit', String(limit));
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`Jaeger query API answered ${response.status} for ${url.href}`);
  const body = (await response.json()) as { data?: JaegerTrace[] };
  return body.data ?? [];
}

export const tracing: ServiceScenario = {
  name: 'tracing',
  measures: 'end to end and the hop with tracing on (every span exported to Jaeger) against off',
  needsServices: true,
  async run(bench, stage) {
    const { params, stack, cleanup, report, figures, log, runId, config, kafka, logger } = bench;
    const { services } = stage;
    const wasRunning = stack.isRunning('jaeger');
    const jaeger = await stack.jaegerUp({ quiet: true });
    if (!wasRunning) cleanup.add('Jaeger', () => stack.stopProcess('jaeger').then(() => undefined));
    log(`tracing: Jaeger at ${jaeger.uiUrl}, OTLP at ${jaeger.otlpEndpoint}`);
    const on: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_SDK_DISABLED: 'false',
    };
    const off: Record<string, string> = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SDK_DISABLED: 'true' };
    const restart = async (mode: Mode): Promise<void> => {
      await services.stop();
      const env = mode === 'on' ? on : off;
      await services.start(['gateway'], { ...env, ...stage.tracedUri('gateway') });
      await Promise.all(AGENTS.map((name) => services.start([name], { ...env, ...stage.tracedUri(name) })));
    };

    const perRound = Math.max(
      10,
      Math.round((params.e2eRate * params.tracingSeconds) / params.tracingRounds),
    );
    const runs: Record<Mode, LoadRun[]> = { off: [], on: [] };
    /** CPU seconds per process over each mode's measured runs, and the tasks they completed. */
    const cpu: Record<Mode, { seconds: Record<string, number>; tasks: number }> = {
      off: { seconds: {}, tasks: 0 },
      on: { seconds: {}, tasks: 0 },
    };
    let firstIndex = 300_000;
    let measuredOnSince = Number.POSITIVE_INFINITY;
    log(
      `tracing: ${params.tracingRounds} rounds of off then on, each ${params.e2eWarmup} warm-up tasks and ${perRound} at ${params.e2eRate}/s`,
    );
    for (let round = 0; round < params.tracingRounds; round += 1) {
      for (const mode of ['off', 'on'] as const) {
        await restart(mode);
        await taskLoad(stage.gatewayUrl, params.e2eRate, params.e2eWarmup, 60_000, firstIndex, `${runId}.t`);
        firstIndex += params.e2eWarmup;
        if (mode === 'on') measuredOnSince = Math.min(measuredOnSince, Date.now());
        const meter = stage.cpu();
        const run = await taskLoad(
          stage.gatewayUrl,
          params.e2eRate,
          perRound,
          60_000,
          firstIndex,
          `${runId}.t`,
        );
        const used = meter.end();
        firstIndex += perRound;
        runs[mode].push(run);
        const figures = loadFigures(run);
        for (const [name, seconds] of Object.entries(used.cpuSeconds)) {
          cpu[mode].seconds[name] = (cpu[mode].seconds[name] ?? 0) + seconds;
        }
        cpu[mode].tasks += figures.completed;
        log(
          `tracing ${mode}, round ${round + 1}: p50 ${ms(figures.latency.p50)}, ${figures.completed}/${figures.submitted}`,
        );
      }
    }
    // Back to what the scenarios after this one expect: the services with tracing as the run started them.
    await services.stop();
    await services.start(['gateway'], stage.tracedUri('gateway'));
    await Promise.all(AGENTS.map((name) => services.start([name], stage.tracedUri(name))));

    const merged = (mode: Mode): LoadRun => ({
      rate: params.e2eRate,
      firstIntendedAt: Math.min(...runs[mode].map((r) => r.firstIntendedAt)),
      samples: runs[mode].flatMap((r) => r.samples),
    });
    const offFigures = loadFigures(merged('off'));
    const onFigures = loadFigures(merged('on'));
    const e2eRatio = ratio(onFigures.latency.p50, offFigures.latency.p50);
    const breakdown = {
      off: await stageBreakdown(stage.gatewayUrl, merged('off').samples),
      on: await stageBreakdown(stage.gatewayUrl, merged('on').samples),
    };
    const processes = [...SERVICE_NAMES, ...STACK_SERVERS];
    const msPerTask = (mode: Mode, name: string): number =>
      ((cpu[mode].seconds[name] ?? 0) * 1000) / Math.max(1, cpu[mode].tasks);
    const systemMs = (mode: Mode): number => processes.reduce((sum, name) => sum + msPerTask(mode, name), 0);
    figures['tracing.e2e.off.p50'] = offFigures.latency.p50;
    figures['tracing.e2e.on.p50'] = onFigures.latency.p50;

    // Every measured task with tracing on should have its trace in Jaeger, across all four services.
    // The batch span processors export within seconds of a span's end; the services were stopped
    // (which exports what they still held) before this query.
    const traces = await gatewayTraces(jaeger.uiUrl, measuredOnSince - 1_000, onFigures.submitted * 4);
    const complete = traces.filter((t) => {
      const names = new Set(Object.values(t.processes).map((p) => p.serviceName));
      return TRACED_SERVICES.every((s) => names.has(s));
    });
    const spans = complete.reduce((sum, t) => sum + t.spans.length, 0);

    // The hop in the bench process: off, then with this process's own tracer provider exporting to Jaeger.
    const ctx = { config, kafka, runId: `${runId}.tr`, cleanup, logger };
    const hopOff = await runtimeChain(ctx, { stages: 2, label: 'runtime hop, tracing off' });
    const hopOffStats = summarize(await sequential(hopOff, params.hopWarmup, params.hopN));
    await hopOff.close();
    startTracing(loadConfig('gateway', { ...process.env, ...on, OTEL_SERVICE_NAME: 'bench' }));
    let hopOnStats;
    try {
      const hopOn = await runtimeChain(ctx, { stages: 2, label: 'runtime hop, tracing on' });
      hopOnStats = summarize(await sequential(hopOn, params.hopWarmup, params.hopN, 1_000_000));
      await hopOn.close();
    } finally {
      await stopTracing();
      // The API's globals back to no-ops, so the scenarios after this one run untraced.
      trace.disable();
      propagation.disable();
      context.disable();
    }
    const hopRatio = ratio(hopOnStats.p50, hopOffStats.p50);
    figures['tracing.hop.off.p50'] = hopOffStats.p50;
    figures['tracing.hop.on.p50'] = hopOnStats.p50;

    report.rows.push(
      {
        scenario: '9 tracing',
        what: `end to end with tracing off (no OTLP endpoint), ${params.tracingRounds} rounds alternated with on`,
        latency: offFigures.latency,
        note: `${offFigures.completed}/${offFigures.submitted} completed; system CPU ${fmt(systemMs('off'), 1)} ms per task`,
      },
      {
        scenario: '9 tracing',
        what: 'end to end with tracing on: every span sampled and exported to Jaeger over OTLP',
        latency: onFigures.latency,
        baseline: 'tracing off, same run',
        ratio: e2eRatio,
        ratioOf: 'p50',
        note: `${onFigures.completed}/${onFigures.submitted} completed; system CPU ${fmt(systemMs('on'), 1)} ms per task (${times(ratio(systemMs('on'), systemMs('off')))} off); Jaeger holds ${complete.length} traces with spans from all four services, of ${params.tracingRounds * (params.e2eWarmup + perRound) - params.e2eWarmup} tasks run with tracing on after the first warm-up (${fmt(spans / Math.max(1, complete.length), 1)} spans each)`,
      },
      {
        scenario: '9 tracing',
        what: 'hop through the runtime, tracing off',
        latency: hopOffStats,
      },
      {
        scenario: '9 tracing',
        what: 'hop through the runtime, tracing on (the bench process exporting to Jaeger)',
        latency: hopOnStats,
        baseline: 'tracing off, same run',
        ratio: hopRatio,
        ratioOf: 'p50',
      },
    );
    report.sections.push({
      title: 'Tracing on against off: CPU per task and where the time goes',
      lines: [
        `The same open-loop load (${params.e2eRate} tasks/s, ${params.tracingRounds} rounds of ${perRound} tasks per mode, the modes alternated, the services restarted for each). CPU ms per completed task, by process (Jaeger's own CPU not counted):`,
        '',
        ...markdownTable(
          ['mode', 'system', ...processes],
          (['off', 'on'] as const).map((mode) => [
            mode,
            fmt(systemMs(mode), 1),
            ...processes.map((name) => fmt(msPerTask(mode, name), 1)),
          ]),
        ),
        '',
        'Tracing off:',
        '',
        ...breakdownLines(breakdown.off),
        '',
        'Tracing on:',
        '',
        ...breakdownLines(breakdown.on),
      ],
    });
    report.details.tracing = {
      cpuMsPerTask: {
        off: Object.fromEntries(processes.map((n) => [n, msPerTask('off', n)])),
        on: Object.fromEntries(processes.map((n) => [n, msPerTask('on', n)])),
      },
      breakdown,
      rounds: params.tracingRounds,
      tasksPerRound: perRound,
      off: { ...offFigures },
      on: { ...onFigures },
      jaegerTraces: traces.length,
      completeTraces: complete.length,
      spansInCompleteTraces: spans,
      hop: { off: hopOffStats, on: hopOnStats },
    };
    log(
      `tracing: end-to-end p50 ${ms(onFigures.latency.p50)} on against ${ms(offFigures.latency.p50)} off (${times(e2eRatio)}); hop ${ms(hopOnStats.p50)} against ${ms(hopOffStats.p50)} (${times(hopRatio)}); ${complete.length} complete traces in Jaeger`,
    );
  },
};

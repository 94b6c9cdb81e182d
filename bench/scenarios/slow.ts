/**
 * 4: slow LLM. The agents against an LLM simulator that answers after a fixed delay, at concurrency
 * C and then one task at a time per agent; compared with what C slots per agent can do at most
 * (C ÷ the delay) and with each other.
 */
import { CONSUMER_GROUPS, TOPICS } from '@tributary/contracts';
import { LlmSimulator } from '../../test/support/llm-simulator';
import { closedLoop, EndWatcher, stageBreakdown, watchedTask } from '../lib/e2e';
import { AGENT_GROUPS, resetGroups, waitCaughtUp } from '../lib/groups';
import { fmt } from '../lib/report';
import { breakdownLines, traceSection } from '../lib/sections';
import { AGENTS, RssSampler } from '../lib/services';
import { ratio } from '../lib/stats';
import { type ServiceScenario } from './scenario';

export const slow: ServiceScenario = {
  name: 'slow',
  measures: 'the agents against a slow LLM: concurrency C against its bound and against one at a time',
  needsServices: true,
  async run({ params, kafka, runId, cleanup, report, figures, log }, stage) {
    const { services, traces, gatewayUrl } = stage;
    await services.stop([...AGENTS]);
    const simulator = await LlmSimulator.start({ delayMs: params.llmDelayMs });
    cleanup.add('LLM simulator', () => simulator.close());
    const watchGroup = `bench.slow-watch.${runId}`;
    const watcher = await EndWatcher.start(kafka, watchGroup, [
      TOPICS.recommendationReady.name,
      TOPICS.taskFailed.name,
    ]);
    cleanup.group(watchGroup);
    const stopWatcher = cleanup.add('slow-run watcher', () => watcher.stop());
    const llm = {
      TRIBUTARY_LLM_BASE_URL: simulator.baseUrl,
      TRIBUTARY_LLM_API_KEY: 'bench',
      TRIBUTARY_LLM_MODEL: 'simulator',
    };
    const delayS = params.llmDelayMs / 1000;
    let firstIndex = 100_000;
    /**
     * Agents at concurrency c; (3 + queued) × c tasks kept in flight for the window: 3c fill every
     * agent's slots, and the extra ones wait in front of them, so a slot freed by a finished call is
     * refilled at once instead of waiting for a task to cross the rest of the pipeline (with exactly
     * 3c in flight, Little's law caps throughput at 3c ÷ (3 delays + every transit and write)).
     */
    const runSlow = async (concurrency: number, measureS: number) => {
      await resetGroups(
        kafka,
        AGENTS.map((a) => AGENT_GROUPS[a]),
      );
      await Promise.all(
        AGENTS.map((name) =>
          services.start([name], {
            ...llm,
            TRIBUTARY_CONCURRENCY: String(concurrency),
            ...stage.tracedUri(name),
          }),
        ),
      );
      const calls: number[] = [];
      const sampleCalls = setInterval(() => calls.push(simulator.inFlight.size), 100);
      try {
        const inFlight = (3 + params.slowQueued) * concurrency;
        const result = await closedLoop(
          inFlight,
          Math.max(3 * delayS + 2, params.slowWarmupS) * 1000,
          measureS * 1000,
          watchedTask(gatewayUrl, watcher, runId),
          firstIndex,
        );
        firstIndex += result.samples.length;
        return {
          ...result,
          inFlight,
          llmCalls: {
            max: Math.max(0, ...calls),
            mean: calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length),
          },
        };
      } finally {
        clearInterval(sampleCalls);
        await services.stop([...AGENTS]);
        await waitCaughtUp(kafka, CONSUMER_GROUPS.projection, params.quick ? 15_000 : 30_000);
      }
    };

    const c = params.slowConcurrency;
    const bound = c / delayS;
    log(
      `slow LLM: ${params.llmDelayMs} ms answers, TRIBUTARY_CONCURRENCY=${c} (bound ${fmt(bound, 1)} tasks/s), ${(3 + params.slowQueued) * c} tasks in flight, ${params.slowSeconds} s window`,
    );
    const sampler = new RssSampler(services).start();
    const slowCpu = stage.cpu();
    for (const trace of traces.values()) {
      trace.reset();
      trace.record(true);
    }
    const many = await runSlow(c, params.slowSeconds);
    for (const trace of traces.values()) trace.record(false);
    const completed = many.samples.filter((s) => s.status === 'completed').length;
    const slowBreakdown = await stageBreakdown(gatewayUrl, many.samples);
    report.sections.push({
      title: `Slow LLM, concurrency ${c}: where the time goes`,
      lines: [
        `Completed tasks of the slow-LLM run (warm-up and window); instants from each task's stored timeline (milestones; the run follows tasks on Kafka, not on their streams). Each agent stage holds one of the agent's ${c} slots and includes one ${params.llmDelayMs} ms LLM call; "projection" here ends when the bench's Kafka watcher sees the terminal event.`,
        '',
        ...breakdownLines(slowBreakdown),
        '',
        `LLM requests the simulator received so far, by kind: ${[...simulator.received].map(([kind, n]) => `${kind} ${n}`).join(', ')}; ${completed} tasks completed; ${simulator.aborted} calls aborted.`,
      ],
    });
    report.details.slowBreakdown = slowBreakdown;
    if (traces.size > 0) {
      const { lines, all } = traceSection(traces, completed);
      report.sections.push({
        title: `MongoDB commands during the slow-LLM run, concurrency ${c} (--mongo-trace; warm-up and window)`,
        lines,
      });
      report.details.mongoTraceSlow = all;
    }
    stage.recordCpu(`slow LLM, concurrency ${c} (whole run, start to stop)`, slowCpu.end());
    const slowRss = sampler.stop();
    log(
      `slow LLM: ${fmt(many.perSecond, 2)} tasks/s (bound ${fmt(bound, 1)}), up to ${many.llmCalls.max} LLM calls in flight; now one at a time`,
    );
    const one = await runSlow(1, params.slowOneSeconds);
    await stopWatcher();
    figures['slow.perSecond'] = many.perSecond;
    figures['slow.bound'] = bound;
    figures['slow.one'] = one.perSecond;
    report.rows.push(
      {
        scenario: '4 slow LLM',
        what: `${params.llmDelayMs} ms per LLM call, 3 calls per task, TRIBUTARY_CONCURRENCY=${c}, ${many.inFlight} tasks kept in flight`,
        latency: many.latency,
        throughput: many.perSecond,
        unit: 'tasks/s',
        baseline: `bound ${c} ÷ ${delayS} s = ${fmt(bound, 1)}/s`,
        ratio: ratio(many.perSecond, bound),
        ratioOf: 'throughput',
        note: `${many.windowCompleted} completed in the ${params.slowSeconds} s window; LLM calls in flight: max ${many.llmCalls.max}, mean ${fmt(many.llmCalls.mean, 1)} (bound ${3 * c})${many.errors ? `; ${many.errors} errors: ${many.firstErrors.join('; ')}` : ''}`,
      },
      {
        scenario: '4 slow LLM',
        what: 'one task at a time per agent (TRIBUTARY_CONCURRENCY=1, what Nest’s Kafka transport does per partition)',
        latency: one.latency,
        throughput: one.perSecond,
        unit: 'tasks/s',
        baseline: `bound 1 ÷ ${delayS} s = ${fmt(1 / delayS, 2)}/s`,
        ratio: ratio(one.perSecond, 1 / delayS),
        ratioOf: 'throughput',
        note: `${one.windowCompleted} completed in the ${params.slowOneSeconds} s window`,
      },
      {
        scenario: '4 slow LLM',
        what: `concurrency ${c} against one at a time`,
        throughput: many.perSecond,
        unit: 'tasks/s',
        baseline: 'one at a time',
        ratio: ratio(many.perSecond, one.perSecond),
        ratioOf: 'throughput',
      },
    );
    stage.memory['peak under slow-LLM load'] = Object.fromEntries(
      Object.entries(slowRss).map(([k, v]) => [k, v.peak]),
    );
    report.details.slow = {
      bound,
      many: { ...many, samples: undefined },
      one: { ...one, samples: undefined },
    };
    log(`slow LLM: one at a time ${fmt(one.perSecond, 3)} tasks/s`);
  },
};

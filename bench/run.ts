/**
 * Tributary's benchmarks, every figure next to a baseline measured in the same run:
 *
 *   node scripts/run-ts.mjs bench/run.ts            # full run, about 8 to 10 minutes
 *   node scripts/run-ts.mjs bench/run.ts --quick    # about 3 minutes, fewer samples
 *   node scripts/run-ts.mjs bench/run.ts --help     # every flag and scenario
 *
 * Starts what it needs (the local stack, the four built services as child processes with a fresh
 * MongoDB database, an LLM simulator, a throwaway redis-server), runs the chosen scenarios
 * (bench/scenarios/, each after a warm-up), judges the targets (bench/targets.ts), writes report.md
 * and report.json into bench/results/<timestamp>/ (with the services' logs) after every scenario,
 * prints the tables, and stops everything it started, by pid. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tributary/config';
import { createKafkaClient } from '@tributary/kafka';
import { logLevel } from 'kafkajs';
import { type Bench } from './lib/bench';
import { Cleanup } from './lib/cleanup';
import { type Figures } from './lib/figures';
import { helpText, type Params, parseArgs } from './lib/params';
import { describeTree, findRoot, loadStack } from './lib/project';
import { QuietLogger } from './lib/quiet-logger';
import { renderMarkdown, type Report } from './lib/report';
import { ServiceStage } from './lib/service-stage';
import { epochMs } from './lib/stats';
import { judge } from './lib/targets';
import { SCENARIOS } from './scenarios';
import { TARGETS } from './targets';

function newReport(params: Params, startedAt: Date, root: string): Report {
  const config = loadConfig('gateway', { ...process.env });
  return {
    startedAt: startedAt.toISOString(),
    mode: params.quick ? 'quick' : 'full',
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? '?',
      memoryGB: (totalmem() / 2 ** 30).toFixed(1),
      node: process.version,
      loadavg: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    },
    params: {
      ...Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'only')),
      only: [...params.only].join(','),
      services: `${describeTree(params.servicesRoot ?? root)}${params.servicesRoot ? ` from ${params.servicesRoot}` : ''}`,
      stack: `kafka ${config.kafka.brokers.join(',')}, ${config.mongoUri.replace(/\/[^/]*$/, '')}`,
    },
    cpuPerTask: [],
    rows: [],
    targets: [],
    sections: [],
    details: {},
    skipped: [],
    errors: [],
  };
}

async function main(): Promise<void> {
  const params = parseArgs(process.argv.slice(2), SCENARIOS);
  if (params === 'help') {
    process.stdout.write(helpText(SCENARIOS));
    return;
  }
  const root = findRoot();
  const startedAt = new Date();
  const t0 = epochMs();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const resultsDir = join(root, 'bench', 'results', stamp);
  const logDir = join(resultsDir, 'logs');
  const profileDir = join(resultsDir, 'profiles');
  mkdirSync(logDir, { recursive: true });
  if (params.profile) mkdirSync(profileDir, { recursive: true });
  const log = (line: string) =>
    process.stdout.write(`[${((epochMs() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const runId = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
  const report = newReport(params, startedAt, root);
  const figures: Figures = {};

  /** Judges the targets and writes both reports (after every scenario, so a crash keeps what was measured). */
  const save = (final: boolean): void => {
    // An opt-in scenario's targets are listed only in runs that include it.
    const targets = TARGETS.filter(
      (t) => params.only.has(t.scenario) || !SCENARIOS.some((s) => s.name === t.scenario && s.optIn === true),
    );
    report.targets.splice(0, report.targets.length, ...judge(targets, figures));
    report.finishedAt = new Date().toISOString();
    report.durationS = (epochMs() - t0) / 1000;
    const markdown = renderMarkdown(report);
    writeFileSync(join(resultsDir, 'report.md'), markdown);
    writeFileSync(join(resultsDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (final) {
      process.stdout.write(`\n${markdown}`);
      log(`report: ${join(resultsDir, 'report.md')} and report.json`);
    }
  };

  log(`results in ${resultsDir}`);
  const stack = await loadStack(root);
  log('local stack: up');
  await stack.up({ quiet: true });

  const config = loadConfig('gateway', { ...process.env });
  const logger = new QuietLogger('  (runtime error) ');
  const kafka = createKafkaClient(config, { clientId: `bench-${runId}`, logLevel: logLevel.ERROR, logger });
  const cleanup = new Cleanup(kafka, config);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      log(`${signal}: stopping everything this run started`);
      void cleanup.run(log).finally(() => process.exit(130));
    });
  }

  const database = `bench_${stamp.replace(/-/g, '').replace('T', '_').toLowerCase()}`;
  const bench: Bench = {
    params,
    root,
    appRoot: params.servicesRoot ?? root,
    runId,
    startedAt,
    resultsDir,
    logDir,
    profileDir,
    database,
    mongoUri: Object.assign(new URL(config.mongoUri), { pathname: `/${database}` }).toString(),
    config,
    kafka,
    logger,
    stack,
    cleanup,
    report,
    figures,
    log,
  };

  try {
    const attempt = async (name: string, run: () => Promise<void>): Promise<void> => {
      try {
        await run();
      } catch (error) {
        const message = `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
        report.errors.push(message.split('\n').slice(0, 4).join(' '));
        log(`ERROR ${message}`);
      }
      save(false);
    };
    let stage: ServiceStage | undefined;
    for (const scenario of SCENARIOS.filter((s) => params.only.has(s.name))) {
      if (scenario.needsServices) {
        const started = (stage ??= await ServiceStage.start(bench));
        await attempt(scenario.name, () => scenario.run(bench, started));
      } else {
        await attempt(scenario.name, () => scenario.run(bench));
      }
    }
    if (stage) {
      await stage.stop();
      save(false);
    } else {
      report.skipped.push('services not started (no service scenario selected)');
    }
  } finally {
    log('stopping everything this run started');
    await cleanup.run(log);
  }

  save(true);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

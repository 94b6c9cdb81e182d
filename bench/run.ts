/**
 * Tributary's benchmarks, every figure next to a baseline measured in the same run:
 *
 *   node scripts/run-ts.mjs bench/run.ts            # full run, about 8 to 10 minutes
 *   node scripts/run-ts.mjs bench/run.ts --quick    # about 3 minutes, fewer samples
 *   node scripts/run-ts.mjs bench/run.ts --help     # every flag
 *
 * Starts what it needs (the local stack, the four built services as child processes with a fresh
 * MongoDB database, an LLM simulator, a throwaway redis-server), runs the scenarios after a
 * warm-up each, writes report.md and report.json into bench/results/<timestamp>/ (with the
 * services' logs), prints the tables, and stops everything it started, by pid. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { loadConfig } from '@tributary/config';
import { ALL_TOPICS, CONSUMER_GROUPS, retryTopic, TOPICS } from '@tributary/contracts';
import { createKafkaClient } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import { type Kafka, logLevel } from 'kafkajs';
import { assertGroupsIdle, resetGroupToEnd } from '../test/support/groups';
import { LlmSimulator } from '../test/support/llm-simulator';
import { hammer, startBareServer, type AcceptFigures } from './lib/accept';
import { bullmqChain } from './lib/bullmq-chain';
import { type Chain, chainOpenLoop, rawChain, runtimeChain, sequential } from './lib/chains';
import { Cleanup } from './lib/cleanup';
import {
  closedLoop,
  EndWatcher,
  followedTask,
  loadFigures,
  stageBreakdown,
  STAGES,
  taskLoad,
  watchedTask,
  windowRate,
} from './lib/e2e';
import { MongoTrace } from './lib/mongo-trace';
import { findRoot, loadBuild, loadStack } from './lib/project';
import { findRedis, startRedis } from './lib/redis';
import { rawConsume, runRebuild } from './lib/rebuild';
import { fmt, markdownTable, ms, pct, renderMarkdown, type Report, times } from './lib/report';
import { AGENTS, CpuMeter, RssSampler, SERVICE_NAMES, type ServiceName, ServiceSet } from './lib/services';
import { epochMs, openLoopFigures, ratio, sleep, summarize, type Summary } from './lib/stats';

const SCENARIOS = ['floor', 'queue', 'e2e', 'accept', 'slow', 'rebuild'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Params {
  quick: boolean;
  only: Set<Scenario>;
  hopN: number;
  hopWarmup: number;
  autoCommitN: number;
  chainN: number;
  chainRate: number;
  chainSeconds: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmup: number;
  connections: number;
  acceptSeconds: number;
  acceptWarmup: number;
  llmDelayMs: number;
  slowConcurrency: number;
  /** Tasks per agent slot kept waiting beyond the 3 × concurrency that fill the slots. */
  slowQueued: number;
  slowSeconds: number;
  slowOneSeconds: number;
  slowWarmupS: number;
  capacityInFlight: number;
  capacitySeconds: number;
  profile: boolean;
  keepDb: boolean;
  rebuildTimeoutS: number;
  rebuildBatch: number;
  /** Put a counting MongoDB proxy in front of the gateway (diagnostics; adds a hop). */
  mongoTrace: boolean;
  /** Build and run the services (and the rebuild command) from another checkout, for A/B runs. */
  servicesRoot: string | undefined;
}

const HELP = `usage: node scripts/run-ts.mjs bench/run.ts [flags]

  --quick                 fewer samples and shorter phases (about 3 minutes)
  --only a,b              run only these scenarios: ${SCENARIOS.join(', ')}
                          (floor = floor and hop; queue = BullMQ peer and the runtime's 3-step chain;
                          memory is measured with e2e)
  --hop-n N               one-at-a-time round trips for floor and hop (full 2000, quick 400)
  --hop-warmup N          warm-up round trips (full 200, quick 50)
  --chain-n N             one-at-a-time messages through the 3-step chains (full 500, quick 150)
  --chain-rate R          open-loop messages/s through the 3-step chains (200)
  --chain-seconds S       open-loop duration (full 10, quick 3)
  --rate R                end-to-end tasks/s, open loop, below capacity (2)
  --seconds S             end-to-end duration (full 40, quick 12)
  --e2e-warmup N          warm-up tasks before the end-to-end run (full 20, quick 10)
  --connections C         autocannon connections on the accept path (16)
  --accept-seconds S      autocannon duration per server (full 10, quick 5)
  --llm-delay MS          the LLM simulator's answer delay (2000)
  --slow-concurrency C    TRIBUTARY_CONCURRENCY of the agents in the slow-LLM run (64)
  --slow-queued Q         tasks kept in flight beyond the 3 × C that fill the agents' slots, per slot (1: 4C in all)
  --slow-seconds S        slow-LLM measuring window (full 20, quick 8)
  --slow-warmup S         slow-LLM warm-up before the window, at least 3 delays + 2 s (full 20, quick 8)
  --slow-one-seconds S    measuring window of the one-at-a-time run (full 16, quick 8)
  --capacity-inflight K   end-to-end capacity run: tasks kept in flight (8)
  --capacity-seconds S    end-to-end capacity run: measuring window after 10 s warm-up (full 20, quick 6)
  --rebuild-timeout S     kill the rebuild command after S seconds (180)
  --rebuild-batch N       the rebuild command's --batch: documents per insert command (1000, its default)
  --profile               run services and the rebuild with --cpu-prof into <results>/profiles
  --keep-db               keep the run's MongoDB database
  --mongo-trace           count and time the gateway's MongoDB commands through a proxy (adds a hop)
  --services-root DIR     build and run the services from another checkout (A/B against this one)
`;

function parseArgs(argv: readonly string[]): Params {
  const quick = argv.includes('--quick');
  const p: Params = {
    quick,
    only: new Set(SCENARIOS),
    hopN: quick ? 400 : 2000,
    hopWarmup: quick ? 50 : 200,
    autoCommitN: quick ? 100 : 300,
    chainN: quick ? 150 : 500,
    chainRate: 200,
    chainSeconds: quick ? 3 : 10,
    e2eRate: 2,
    e2eSeconds: quick ? 12 : 40,
    e2eWarmup: quick ? 10 : 20,
    connections: 16,
    acceptSeconds: quick ? 5 : 10,
    acceptWarmup: quick ? 2 : 3,
    llmDelayMs: 2000,
    slowConcurrency: 64,
    slowQueued: 1,
    slowSeconds: quick ? 8 : 20,
    slowOneSeconds: quick ? 8 : 16,
    slowWarmupS: quick ? 8 : 20,
    capacityInFlight: 8,
    capacitySeconds: quick ? 6 : 20,
    profile: false,
    keepDb: false,
    servicesRoot: undefined,
    mongoTrace: false,
    rebuildTimeoutS: 180,
    rebuildBatch: 1000,
  };
  const numbers: Record<string, keyof Params> = {
    '--hop-n': 'hopN',
    '--hop-warmup': 'hopWarmup',
    '--chain-n': 'chainN',
    '--chain-rate': 'chainRate',
    '--chain-seconds': 'chainSeconds',
    '--rate': 'e2eRate',
    '--seconds': 'e2eSeconds',
    '--e2e-warmup': 'e2eWarmup',
    '--connections': 'connections',
    '--accept-seconds': 'acceptSeconds',
    '--llm-delay': 'llmDelayMs',
    '--slow-concurrency': 'slowConcurrency',
    '--slow-queued': 'slowQueued',
    '--slow-seconds': 'slowSeconds',
    '--slow-one-seconds': 'slowOneSeconds',
    '--slow-warmup': 'slowWarmupS',
    '--capacity-inflight': 'capacityInFlight',
    '--capacity-seconds': 'capacitySeconds',
    '--rebuild-timeout': 'rebuildTimeoutS',
    '--rebuild-batch': 'rebuildBatch',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--quick') continue;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    if (arg === '--profile') p.profile = true;
    else if (arg === '--keep-db') p.keepDb = true;
    else if (arg === '--mongo-trace') p.mongoTrace = true;
    else if (arg === '--services-root') p.servicesRoot = argv[++i];
    else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--only takes ${SCENARIOS.join(', ')}`);
      p.only = new Set(names as Scenario[]);
    } else if (numbers[arg] !== undefined) {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`${arg} needs a positive number`);
      (p as unknown as Record<string, number>)[numbers[arg]] = value;
    } else throw new Error(`unknown flag ${arg}\n${HELP}`);
  }
  return p;
}

/** Prints nothing but errors: the runtime and kafkajs are chatty on purpose. */
class QuietLogger implements LoggerService {
  log(): void {}
  warn(): void {}
  debug(): void {}
  error(message: unknown): void {
    process.stderr.write(`  (runtime error) ${String(message)}\n`);
  }
}

/**
 * Every group the services consume with. All are reset, the gateway's webhook and in-flight groups
 * too: left alone, the webhook group would work through earlier runs' retries (tasks of dropped
 * databases, each polling the store for seconds) and weigh on every figure of this run.
 */
const GROUPS = [
  CONSUMER_GROUPS.planner,
  CONSUMER_GROUPS.research,
  CONSUMER_GROUPS.reviewer,
  CONSUMER_GROUPS.projection,
  CONSUMER_GROUPS.webhooks,
  CONSUMER_GROUPS.inFlight,
] as const;
const AGENT_GROUPS: Record<(typeof AGENTS)[number], string> = {
  'planner-agent': CONSUMER_GROUPS.planner,
  'research-agent': CONSUMER_GROUPS.research,
  'reviewer-agent': CONSUMER_GROUPS.reviewer,
};

/** Commits the groups' offsets at the topics' current end, so the services see only this run's traffic. */
async function resetGroups(kafka: Kafka, groups: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  for (const group of groups) {
    const topics = [...ALL_TOPICS.map((t) => t.name), retryTopic(group)].filter((t) => existing.has(t));
    await resetGroupToEnd(kafka, group, topics);
  }
}

/** The per-stage table of a stage breakdown, and the API's own durations. */
function breakdownLines(breakdown: Awaited<ReturnType<typeof stageBreakdown>>): string[] {
  return [
    ...markdownTable(
      ['stage', 'p50', 'p99', 'p99.9', 'mean', 'meaning'],
      STAGES.map(([name, meaning]) => {
        const s = breakdown.stages[name];
        return [name, ms(s.p50), ms(s.p99), ms(s.p999), ms(s.mean), meaning];
      }),
    ),
    '',
    `The API's own \`durations\` (p50): planning ${ms(breakdown.api.planningMs?.p50)}, researching ${ms(breakdown.api.researchingMs?.p50)}, reviewing ${ms(breakdown.api.reviewingMs?.p50)}, total ${ms(breakdown.api.totalMs?.p50)}.`,
  ];
}

/** The MongoDB commands each traced service sent while recording, per completed task. */
function traceSection(
  traces: ReadonlyMap<ServiceName, MongoTrace>,
  completed: number,
): { lines: string[]; all: Record<string, unknown> } {
  const perTask = (n: number) => fmt(n / Math.max(1, completed), 1);
  const lines = [
    `Through a counting proxy per service (one more hop than usual, so these latencies are a little high). ${completed} tasks completed.`,
    '',
  ];
  const all: Record<string, unknown> = {};
  for (const [name, trace] of traces) {
    const commands = trace.figures();
    all[name] = commands;
    lines.push(
      `**${name}**: ${perTask(commands.reduce((n, c) => n + c.count, 0))} commands per task, ${fmt(commands.reduce((n, c) => n + c.totalMs, 0) / Math.max(1, completed), 1)} ms of store time per task`,
      '',
      ...markdownTable(
        [
          'command collection',
          'count',
          'per task',
          'total ms',
          'p50',
          'p99',
          'mean request bytes',
          'cursors left open',
        ],
        commands.map((c) => [
          c.command,
          String(c.count),
          perTask(c.count),
          fmt(c.totalMs, 0),
          ms(c.latency.p50),
          ms(c.latency.p99),
          fmt(c.meanBytes, 0),
          String(c.cursorsLeftOpen),
        ]),
      ),
      '',
    );
  }
  return { lines, all };
}

/** Which code the services were built from: the commit, and whether apps/ or libs/ had uncommitted changes. */
function describeTree(root: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? commit : `${commit} with uncommitted changes in apps/ or libs/`;
  } catch {
    return existsSync(join(root, '.commit'))
      ? `${readFileSync(join(root, '.commit'), 'utf8').trim().slice(0, 7)} (export)`
      : 'unknown';
  }
}

/** Waits until a group has committed the end of every topic it reads (its backlog is worked off). */
async function waitCaughtUp(kafka: Kafka, group: string, timeoutMs: number): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = ALL_TOPICS.map((t) => t.name).filter((t) => existing.has(t));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let lag = 0;
      const committed = await admin.fetchOffsets({ groupId: group, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const { partition, high } of ends) {
          const at = Number(mine.find((p) => p.partition === partition)?.offset ?? -1);
          lag += Math.max(0, Number(high) - Math.max(0, at));
        }
      }
      if (lag === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}

function seconds(from: number): string {
  return `${((epochMs() - from) / 1000).toFixed(0).padStart(4)} s`;
}

async function main(): Promise<void> {
  const params = parseArgs(process.argv.slice(2));
  const root = findRoot();
  const appRoot = params.servicesRoot ?? root;
  const startedAt = new Date();
  const t0 = epochMs();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const resultsDir = join(root, 'bench', 'results', stamp);
  const logDir = join(resultsDir, 'logs');
  const profileDir = join(resultsDir, 'profiles');
  mkdirSync(logDir, { recursive: true });
  if (params.profile) mkdirSync(profileDir, { recursive: true });
  const log = (line: string) => process.stdout.write(`[${seconds(t0)}] ${line}\n`);
  const runId = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;

  const config0 = loadConfig('gateway', { ...process.env });
  const report: Report = {
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
      services: `${describeTree(appRoot)}${params.servicesRoot ? ` from ${params.servicesRoot}` : ''}`,
      stack: `kafka ${config0.kafka.brokers.join(',')}, ${config0.mongoUri.replace(/\/[^/]*$/, '')}`,
    },
    rows: [],
    targets: [],
    sections: [],
    details: {},
    skipped: [],
    errors: [],
  };
  const want = (s: Scenario) => params.only.has(s);
  const fail = (scenario: string, error: unknown) => {
    const message = `${scenario}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    report.errors.push(message.split('\n').slice(0, 4).join(' '));
    log(`ERROR ${message}`);
  };

  log(`results in ${resultsDir}`);
  const stack = await loadStack(root);
  log('local stack: up');
  await stack.up({ quiet: true });

  const config = loadConfig('gateway', { ...process.env });
  const quiet = new QuietLogger();
  const kafka = createKafkaClient(config, {
    clientId: `bench-${runId}`,
    logLevel: logLevel.ERROR,
    logger: quiet,
  });
  const cleanup = new Cleanup(kafka, config.registryUrl);
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
  const mongoUri = Object.assign(new URL(config.mongoUri), { pathname: `/${database}` }).toString();
  const ctx = { config, kafka, runId, cleanup, logger: quiet };

  // Scenario figures kept for the targets.
  let floor: Summary | undefined;
  let hop: Summary | undefined;
  let bullOpen: Summary | undefined;
  let runtimeChainOpen: Summary | undefined;
  let e2eP50: number | undefined;
  let slow: { perSecond: number; bound: number; one?: number } | undefined;
  let accept: { gateway: AcceptFigures; bare: AcceptFigures } | undefined;
  let rebuild: { rate: number; raw: number } | undefined;
  let idleRss: Partial<Record<ServiceName, number>> | undefined;
  let e2eStartedAt: Date | undefined;

  /** Computes the targets and writes both reports (after every scenario, so a crash keeps what was measured). */
  const save = (final: boolean): void => {
    const met = (ok: boolean | undefined) => ok;
    report.targets.length = 0;
    report.targets.push(
      {
        name: 'hop overhead',
        target: 'hop p50 ≤ 1.5 × floor p50',
        measured:
          floor && hop ? `${ms(hop.p50)} vs ${ms(floor.p50)}: ${times(ratio(hop.p50, floor.p50))}` : '–',
        met: floor && hop ? met(hop.p50 <= 1.5 * floor.p50) : undefined,
      },
      {
        name: 'end to end',
        target: 'e2e p50 ≤ hops × floor + 10 ms (4 transits × floor/2 + 10 ms)',
        measured:
          floor && e2eP50 !== undefined
            ? `${ms(e2eP50)} vs ${ms(2 * floor.p50 + 10)}: ${times(ratio(e2eP50, 2 * floor.p50 + 10))}`
            : '–',
        met: floor && e2eP50 !== undefined ? e2eP50 <= 2 * floor.p50 + 10 : undefined,
      },
      {
        name: 'slow LLM vs bound',
        target: 'throughput ≥ 80 % of concurrency ÷ delay',
        measured: slow
          ? `${fmt(slow.perSecond, 2)} of ${fmt(slow.bound, 1)} tasks/s: ${pct(slow.perSecond / slow.bound)}`
          : '–',
        met: slow ? slow.perSecond >= 0.8 * slow.bound : undefined,
      },
      {
        name: 'slow LLM vs one at a time',
        target: 'throughput ≥ 50 × the one-at-a-time run',
        measured:
          slow?.one !== undefined
            ? `${fmt(slow.perSecond, 2)} vs ${fmt(slow.one, 3)} tasks/s: ${times(slow.perSecond / slow.one)}`
            : '–',
        met:
          slow?.one !== undefined && Number.isFinite(slow.one) ? slow.perSecond >= 50 * slow.one : undefined,
      },
      {
        name: 'gateway accept path',
        target: '≥ 80 % of the bare server’s throughput',
        measured: accept
          ? `${fmt(accept.gateway.perSecond, 1)} vs ${fmt(accept.bare.perSecond, 1)} req/s: ${pct(accept.gateway.perSecond / accept.bare.perSecond)} (p99 ${ms(accept.gateway.p99)} vs ${ms(accept.bare.p99)})`
          : '–',
        met: accept ? accept.gateway.perSecond >= 0.8 * accept.bare.perSecond : undefined,
      },
      {
        name: 'against the queue peer',
        target: 'e2e p50 ≤ BullMQ 3-step chain p50 (the whole pipeline against a chain of no-op jobs)',
        measured: bullOpen && e2eP50 !== undefined ? `${ms(e2eP50)} vs ${ms(bullOpen.p50)}` : '–',
        met: bullOpen && e2eP50 !== undefined ? e2eP50 <= bullOpen.p50 : undefined,
      },
      {
        name: 'against the queue peer, like for like',
        target: 'runtime 3-step chain p50 ≤ BullMQ 3-step chain p50 (same no-op steps, same open-loop rate)',
        measured:
          bullOpen && runtimeChainOpen
            ? `${ms(runtimeChainOpen.p50)} vs ${ms(bullOpen.p50)}: ${times(ratio(runtimeChainOpen.p50, bullOpen.p50))}`
            : '–',
        met: bullOpen && runtimeChainOpen ? runtimeChainOpen.p50 <= bullOpen.p50 : undefined,
      },
      {
        name: 'rebuild',
        target: '≥ 30 % of a raw consume',
        measured: rebuild
          ? `${fmt(rebuild.rate, 0)} vs ${fmt(rebuild.raw, 0)} events/s: ${pct(rebuild.rate / rebuild.raw)}`
          : '–',
        met: rebuild ? rebuild.rate >= 0.3 * rebuild.raw : undefined,
      },
      ...SERVICE_NAMES.map((name) => ({
        name: `${name} idle RSS`,
        target: '< 150 MB',
        measured: idleRss?.[name] === undefined ? '–' : `${fmt(idleRss[name], 0)} MB`,
        met: idleRss?.[name] === undefined ? undefined : idleRss[name] < 150,
      })),
    );

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

  try {
    // ------------------------------------------------------------ 1, 2: floor and hop
    if (want('floor')) {
      try {
        log(`floor and hop: ${params.hopN} round trips each after ${params.hopWarmup} warm-up`);
        const floorChain = await rawChain(ctx, { stages: 2, autoCommit: false, label: 'raw kafkajs' });
        floor = summarize(await sequential(floorChain, params.hopWarmup, params.hopN));
        await floorChain.close();
        const runtime = await runtimeChain(ctx, { stages: 2, label: 'runtime hop' });
        hop = summarize(await sequential(runtime, params.hopWarmup, params.hopN));
        await runtime.close();
        const auto = await rawChain(ctx, { stages: 2, autoCommit: true, label: 'raw kafkajs autoCommit' });
        const autoStats = summarize(
          await sequential(auto, Math.min(50, params.hopWarmup), params.autoCommitN),
        );
        await auto.close();
        report.rows.push(
          {
            scenario: '1 floor',
            what: 'raw kafkajs round trip: produce → consume → produce → consume, no commits',
            latency: floor,
            note: `per transit ≈ ${ms(floor.p50 / 2)} p50`,
          },
          {
            scenario: '2 hop',
            what: 'the same hop through the runtime (registry Avro, envelope, key-parallel consumer, commits)',
            latency: hop,
            baseline: 'floor',
            ratio: ratio(hop.p50, floor.p50),
            ratioOf: 'p50',
          },
          {
            scenario: '2 hop',
            what: 'raw kafkajs with autoCommit (as usually written)',
            latency: autoStats,
            baseline: 'floor',
            ratio: ratio(autoStats.p50, floor.p50),
            ratioOf: 'p50',
          },
        );
        log(`floor p50 ${ms(floor.p50)}, hop p50 ${ms(hop.p50)} (${times(ratio(hop.p50, floor.p50))})`);
      } catch (error) {
        fail('floor/hop', error);
      }
    }

    save(false);

    // ------------------------------------------------------------ 6: queue peer (and the runtime's 3-step chain)
    if (want('queue')) {
      const chainCount = Math.round(params.chainRate * params.chainSeconds);
      const measureChain = async (chain: Chain) => {
        const one = summarize(await sequential(chain, 50, params.chainN));
        const open = openLoopFigures(await chainOpenLoop(chain, params.chainRate, chainCount, 1_000_000));
        await chain.close();
        return { one, open };
      };
      try {
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
          report.skipped.push(
            'queue peer: redis-server is not installed and could not be installed (not root)',
          );
          log('queue peer skipped: no redis-server');
        } else {
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
          bullOpen = bull.open.latency;
          runtimeChainOpen = runtime3.open.latency;
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
          );
          report.rows.push(
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
          );
          report.rows.push(
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
        }
      } catch (error) {
        fail('queue peer', error);
      }
    }

    save(false);

    // ------------------------------------------------------------ services: 3, 5, 4, 8, then 7
    const needServices = want('e2e') || want('accept') || want('slow') || want('rebuild');
    if (needServices) {
      for (const app of SERVICE_NAMES) {
        if (stack.isRunning(app)) {
          log(`${app} is running from npm start (pid file): stopping it, its consumer group is needed`);
          await stack.stopProcess(app);
        }
      }
      await assertGroupsIdle(kafka, GROUPS);
      log('building the services');
      await (await loadBuild(appRoot)).buildApps();
      const mongo = await connectMongo(mongoUri);
      cleanup.add('MongoDB database', async () => {
        if (!params.keepDb) await mongo.dropDatabase();
        await mongo.close();
      });
      await loadData({
        connection: mongo,
        tenantId: 'default',
        ...defaultDataFiles(join(root, 'data')),
        ifEmpty: false,
      });
      log(`MongoDB database ${database} loaded`);
      log('resetting the services’ consumer groups to the topics’ end');
      await resetGroups(kafka, GROUPS);

      const offline: Record<string, string> = {
        TRIBUTARY_MONGO_URI: mongoUri,
        TRIBUTARY_LOG_LEVEL: 'warn',
        TRIBUTARY_LLM_BASE_URL: '',
        TRIBUTARY_PLANNER_LLM_BASE_URL: '',
        TRIBUTARY_RESEARCH_LLM_BASE_URL: '',
        TRIBUTARY_REVIEWER_LLM_BASE_URL: '',
        // Per-tenant policy, not capacity: every bench task belongs to tenant `default`.
        TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000000',
        TRIBUTARY_RATE_LIMIT_BURST: '1000000',
        TRIBUTARY_MAX_IN_FLIGHT_TASKS: '10000000',
      };
      const nodeArgs = params.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const services = new ServiceSet(appRoot, offline, logDir, nodeArgs);
      cleanup.add('services', () => services.stop());
      /** CPU of every service and of the stack's servers over a phase: who is the bottleneck. */
      const cpu = () =>
        new CpuMeter(() => ({
          ...Object.fromEntries(services.names().map((n) => [n, services.pid(n)])),
          ferretdb: stack.readPidFile('ferretdb')?.pid,
          kafka: stack.readPidFile('kafka')?.pid,
          bench: process.pid,
        })).begin();
      const cpuUse: Record<string, Record<string, number>> = {};
      const traces = new Map<ServiceName, MongoTrace>();
      if (params.mongoTrace) {
        for (const name of SERVICE_NAMES) {
          const trace = await MongoTrace.start(Number(new URL(mongoUri).port || 27017));
          traces.set(name, trace);
          cleanup.add(`MongoDB trace proxy of ${name}`, () => trace.close());
        }
        log('MongoDB trace: each service talks to MongoDB through a counting proxy of its own');
      }
      const tracedUri = (name: ServiceName): Record<string, string> => {
        const trace = traces.get(name);
        return trace
          ? { TRIBUTARY_MONGO_URI: Object.assign(new URL(mongoUri), { port: String(trace.port) }).toString() }
          : {};
      };
      log('starting gateway, planner, research and reviewer (offline LLM)');
      // The gateway first: on a fresh stack it creates the task topics and registers their schemas,
      // which the agents racing it to do the same can fail at (see docs/benchmarks.md).
      await services.start(['gateway'], tracedUri('gateway'));
      await Promise.all(AGENTS.map((name) => services.start([name], tracedUri(name))));
      const gatewayUrl = services.url('gateway');
      await sleep(3_000);
      idleRss = services.rss();
      const memory: Record<string, Record<string, number>> = { idle: { ...idleRss } };

      // 3 and 8: end to end with the offline LLM, RSS under load
      if (want('e2e')) {
        try {
          log(
            `end to end: ${params.e2eWarmup} warm-up tasks, then ${params.e2eRate}/s for ${params.e2eSeconds} s`,
          );
          e2eStartedAt = new Date();
          await taskLoad(gatewayUrl, params.e2eRate, params.e2eWarmup, 60_000, 0, runId);
          const sampler = new RssSampler(services).start();
          for (const trace of traces.values()) trace.record(true);
          const e2eCpu = cpu();
          const run = await taskLoad(
            gatewayUrl,
            params.e2eRate,
            Math.round(params.e2eRate * params.e2eSeconds),
            60_000,
            params.e2eWarmup,
            runId,
          );
          const underLoad = sampler.stop();
          for (const trace of traces.values()) trace.record(false);
          cpuUse[`end to end, ${params.e2eRate} tasks/s`] = e2eCpu.end();
          const figures = loadFigures(run);
          if (traces.size > 0) {
            const { lines, all } = traceSection(traces, figures.completed);
            report.sections.push({
              title: 'MongoDB commands during the end-to-end run (--mongo-trace)',
              lines,
            });
            report.details.mongoTrace = all;
          }
          e2eP50 = figures.latency.p50;
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
            latency: figures.latency,
            throughput: figures.perSecond,
            unit: 'tasks/s',
            baseline: floor ? '4 transits × floor/2 + 10 ms' : undefined,
            ratio: floor ? ratio(figures.latency.p50, 2 * floor.p50 + 10) : undefined,
            ratioOf: floor ? 'p50' : undefined,
            note: `${figures.completed}/${figures.submitted} completed${figures.failedTasks ? `, ${figures.failedTasks} failed` : ''}${figures.errors ? `, ${figures.errors} errors` : ''}; steady ${fmt(steady, 1)} tasks/s`,
          });
          if (bullOpen) {
            report.rows.push({
              scenario: '3 end to end',
              what: 'the same end-to-end p50 against the BullMQ 3-step chain',
              latency: figures.latency,
              baseline: 'BullMQ open loop',
              ratio: ratio(figures.latency.p50, bullOpen.p50),
              ratioOf: 'p50',
            });
          }
          report.sections.push({
            title: 'End to end: where the time goes',
            lines: [
              `Completed tasks of the end-to-end run; instants from each task's timeline (minted by the producing service) and the client. Offered ${params.e2eRate} tasks/s, sustained ${fmt(figures.perSecond, 2)} tasks/s (steady window ${fmt(steady, 2)}), accept p50 ${ms(figures.accept.p50)}.`,
              '',
              ...breakdownLines(breakdown),
              ...(figures.firstErrors.length > 0 ? ['', `Errors: ${figures.firstErrors.join('; ')}`] : []),
            ],
          });
          report.details.e2e = { figures, steady, breakdown };
          await sleep(3_000);
          memory['peak under e2e load'] = Object.fromEntries(
            Object.entries(underLoad).map(([k, v]) => [k, v.peak]),
          );
          memory['mean under e2e load'] = Object.fromEntries(
            Object.entries(underLoad).map(([k, v]) => [k, v.mean]),
          );
          memory['idle after load'] = { ...services.rss() };

          log(
            `end to end, capacity: ${params.capacityInFlight} tasks kept in flight for ${params.capacitySeconds} s (after 10 s)`,
          );
          const capacityCpu = cpu();
          const capacity = await closedLoop(
            params.capacityInFlight,
            10_000,
            params.capacitySeconds * 1000,
            followedTask(gatewayUrl, runId),
            50_000,
          );
          cpuUse[`end to end, capacity (${params.capacityInFlight} in flight)`] = capacityCpu.end();
          await waitCaughtUp(kafka, CONSUMER_GROUPS.projection, 60_000);
          report.rows.push({
            scenario: '3 end to end',
            what: `capacity: ${params.capacityInFlight} tasks kept in flight (closed loop), offline LLM`,
            latency: capacity.latency,
            throughput: capacity.perSecond,
            unit: 'tasks/s',
            note: `${capacity.windowCompleted} completed in the ${params.capacitySeconds} s window${capacity.errors ? `; ${capacity.errors} errors: ${capacity.firstErrors.join('; ')}` : ''}`,
          });
          report.details.capacity = { ...capacity, samples: undefined };
          log(`end to end, capacity: ${fmt(capacity.perSecond, 2)} tasks/s`);
          log(
            `end to end p50 ${ms(figures.latency.p50)}, p99 ${ms(figures.latency.p99)}, ${fmt(figures.perSecond)} tasks/s`,
          );
        } catch (error) {
          fail('end to end', error);
        }
      }

      save(false);

      // 7: rebuild against a raw consume of the same topics and ranges, right after the end-to-end
      // phase (its tasks are what is rebuilt; the services are idle meanwhile)
      if (want('rebuild')) {
        try {
          const since = e2eStartedAt ?? startedAt;
          log(
            `rebuild: raw consume of the task topics since ${since.toISOString()}, then the rebuild command (--batch ${params.rebuildBatch})`,
          );
          const topics = ALL_TOPICS.map((t) => t.name);
          const raw = await rawConsume(kafka, topics, since);
          // Into a database of its own, so nothing the services left in theirs (FerretDB 1.x keeps a
          // database's connections busy after some commands, see docs/benchmarks.md) can stall it.
          const rebuildUri = Object.assign(new URL(mongoUri), {
            pathname: `/${database}_rebuild`,
          }).toString();
          cleanup.add('rebuild database', async () => {
            if (params.keepDb) return;
            const connection = await connectMongo(rebuildUri);
            await connection.dropDatabase();
            await connection.close();
          });
          const rebuilt = await runRebuild(
            appRoot,
            { TRIBUTARY_MONGO_URI: rebuildUri, TRIBUTARY_LOG_LEVEL: 'warn' },
            {
              into: 'bench',
              since,
              batch: params.rebuildBatch,
              nodeArgs: params.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
              timeoutMs: params.rebuildTimeoutS * 1000,
            },
          );
          report.rows.push({
            scenario: '7 rebuild',
            what: `raw kafkajs consume of the ${topics.length} task topics (${raw.events} records, ${fmt(raw.ms, 0)} ms)`,
            throughput: raw.events / (raw.ms / 1000),
            unit: 'events/s',
          });
          const rawRate = raw.events / (raw.ms / 1000);
          const rate = rebuilt.events / (rebuilt.totalMs / 1000);
          const readRate = rebuilt.events / (rebuilt.readMs / 1000);
          rebuild = { rate, raw: rawRate };
          report.rows.push(
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
              what: `rebuild-projection --batch ${params.rebuildBatch}, whole (${rebuilt.events} events, ${fmt(rebuilt.totalMs, 0)} ms)`,
              throughput: rate,
              unit: 'events/s',
              baseline: 'raw consume',
              ratio: ratio(rate, rawRate),
              ratioOf: 'throughput',
              note: raw.events === rebuilt.events ? undefined : `raw consume saw ${raw.events} records`,
            },
          );
          report.details.rebuild = { raw, rebuilt };
          log(`rebuild: ${fmt(rate, 0)} events/s, raw consume ${fmt(rawRate, 0)} events/s`);
        } catch (error) {
          fail('rebuild', error);
        }
      }

      save(false);

      // 5: accept path, agents stopped so they do not compete for the CPU
      if (want('accept')) {
        try {
          await services.stop([...AGENTS]);
          log(`accept path: autocannon, ${params.connections} connections, ${params.acceptSeconds} s each`);
          const options = {
            connections: params.connections,
            durationS: params.acceptSeconds,
            warmupS: params.acceptWarmup,
          };
          traces.get('gateway')?.reset();
          traces.get('gateway')?.record(true);
          const acceptCpu = cpu();
          const gateway = await hammer(`${gatewayUrl}/v1/tasks`, options);
          cpuUse['accept path, gateway under autocannon'] = acceptCpu.end();
          traces.get('gateway')?.record(false);
          const acceptTrace = traces.get('gateway')?.figures();
          if (acceptTrace) {
            report.sections.push({
              title: 'The gateway’s MongoDB commands during the accept run (--mongo-trace)',
              lines: markdownTable(
                ['command collection', 'count', 'per 2xx', 'total ms', 'p50', 'p99'],
                acceptTrace.map((c) => [
                  c.command,
                  String(c.count),
                  fmt(c.count / Math.max(1, gateway.perSecond * params.acceptSeconds), 2),
                  fmt(c.totalMs, 0),
                  ms(c.latency.p50),
                  ms(c.latency.p99),
                ]),
              ),
            });
          }
          const admin = kafka.admin();
          await admin.connect();
          const partitions = (await admin.fetchTopicOffsets(TOPICS.taskRequested.name)).length;
          await admin.disconnect();
          const bareTopic = `bench.accept.${runId}`;
          cleanup.topic(bareTopic);
          cleanup.subject(`${bareTopic}-value`);
          const bareServer = await startBareServer(root, {
            BENCH_TOPIC: bareTopic,
            BENCH_PARTITIONS: String(partitions),
            TRIBUTARY_LOG_LEVEL: 'error',
          });
          const stopBare = cleanup.add('bare server', () => bareServer.stop());
          const bareCpu = new CpuMeter(() => ({
            'bare server': bareServer.pid,
            kafka: stack.readPidFile('kafka')?.pid,
            bench: process.pid,
          })).begin();
          const bare = await hammer(`${bareServer.url}/v1/tasks`, options);
          cpuUse['accept path, bare server under autocannon'] = bareCpu.end();
          await stopBare();
          accept = { gateway, bare };
          report.rows.push(
            {
              scenario: '5 accept path',
              what: `bare Node HTTP server + the same Kafka produce, ${params.connections} connections`,
              latency: {
                n: bare.requests,
                p50: bare.p50,
                p99: bare.p99,
                p999: bare.p999,
                mean: NaN,
                max: NaN,
              },
              throughput: bare.perSecond,
              unit: 'req/s',
            },
            {
              scenario: '5 accept path',
              what: `gateway POST /v1/tasks, ${params.connections} connections`,
              latency: {
                n: gateway.requests,
                p50: gateway.p50,
                p99: gateway.p99,
                p999: gateway.p999,
                mean: NaN,
                max: NaN,
              },
              throughput: gateway.perSecond,
              unit: 'req/s',
              baseline: 'bare server',
              ratio: ratio(gateway.perSecond, bare.perSecond),
              ratioOf: 'throughput',
              note:
                gateway.non2xx > 0
                  ? `${gateway.non2xx} non-2xx: ${JSON.stringify(gateway.statusCodes)}`
                  : undefined,
            },
          );
          report.details.accept = accept;
          log(`accept: gateway ${fmt(gateway.perSecond, 1)} req/s, bare ${fmt(bare.perSecond, 1)} req/s`);
        } catch (error) {
          fail('accept path', error);
        }
      }

      save(false);

      // 4: slow LLM, agents at the simulator: concurrency C, then one at a time
      if (want('slow')) {
        try {
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
                  ...tracedUri(name),
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
          const slowCpu = cpu();
          for (const trace of traces.values()) {
            trace.reset();
            trace.record(true);
          }
          const many = await runSlow(c, params.slowSeconds);
          for (const trace of traces.values()) trace.record(false);
          const slowBreakdown = await stageBreakdown(gatewayUrl, many.samples);
          report.sections.push({
            title: `Slow LLM, concurrency ${c}: where the time goes`,
            lines: [
              `Completed tasks of the slow-LLM run (warm-up and window); instants from each task's timeline. Each agent stage holds one of the agent's ${c} slots and includes one ${params.llmDelayMs} ms LLM call; "projection" here ends when the bench's Kafka watcher sees the terminal event.`,
              '',
              ...breakdownLines(slowBreakdown),
              '',
              `LLM requests the simulator received so far, by kind: ${[...simulator.received].map(([kind, n]) => `${kind} ${n}`).join(', ')}; ${many.samples.filter((s) => s.status === 'completed').length} tasks completed; ${simulator.aborted} calls aborted.`,
            ],
          });
          report.details.slowBreakdown = slowBreakdown;
          if (traces.size > 0) {
            const { lines, all } = traceSection(
              traces,
              many.samples.filter((s) => s.status === 'completed').length,
            );
            report.sections.push({
              title: `MongoDB commands during the slow-LLM run, concurrency ${c} (--mongo-trace; warm-up and window)`,
              lines,
            });
            report.details.mongoTraceSlow = all;
          }
          cpuUse[`slow LLM, concurrency ${c} (whole run, start to stop)`] = slowCpu.end();
          const slowRss = sampler.stop();
          log(
            `slow LLM: ${fmt(many.perSecond, 2)} tasks/s (bound ${fmt(bound, 1)}), up to ${many.llmCalls.max} LLM calls in flight; now one at a time`,
          );
          const one = await runSlow(1, params.slowOneSeconds);
          await stopWatcher();
          slow = { perSecond: many.perSecond, bound, one: one.perSecond };
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
          memory['peak under slow-LLM load'] = Object.fromEntries(
            Object.entries(slowRss).map(([k, v]) => [k, v.peak]),
          );
          report.details.slow = {
            bound,
            many: { ...many, samples: undefined },
            one: { ...one, samples: undefined },
          };
          log(`slow LLM: one at a time ${fmt(one.perSecond, 3)} tasks/s`);
        } catch (error) {
          fail('slow LLM', error);
        }
      }

      save(false);

      if (Object.keys(cpuUse).length > 0) {
        const names = [...new Set(Object.values(cpuUse).flatMap((v) => Object.keys(v)))];
        report.sections.push({
          title: 'CPU use per phase (% of one core; the machine has ' + String(cpus().length) + ')',
          lines: markdownTable(
            ['phase', ...names],
            Object.entries(cpuUse).map(([phase, v]) => [phase, ...names.map((n) => fmt(v[n], 0))]),
          ),
        });
        report.details.cpu = cpuUse;
      }

      // 8: memory table
      const names = SERVICE_NAMES as readonly string[];
      report.sections.push({
        title: 'Memory (RSS, MB)',
        lines: markdownTable(
          ['when', ...names],
          Object.entries(memory).map(([when, values]) => [when, ...names.map((n) => fmt(values[n], 0))]),
        ),
      });
      report.details.memory = memory;
      report.details.processes = services.started;

      await services.stop();

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

/**
 * The four built services on the run's own database, for the scenarios that go through them
 * (end to end, rebuild, accept path, slow LLM): started once, before the first of them, with the
 * offline LLM; stopped after the last. Keeps what those scenarios measure on the side: CPU per
 * phase and RSS, reported together at the end.
 */
import { join } from 'node:path';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { connectMongo } from '@tributary/platform';
import { cpus } from 'node:os';
import { assertGroupsIdle } from '../../test/support/groups';
import { type Bench } from './bench';
import { GROUPS, resetGroups } from './groups';
import { CostMeter, type PhaseCost, rawKafkaCost, type RawKafkaCost, STACK_SERVERS } from './cost';
import { MongoTrace } from './mongo-trace';
import { loadBuild } from './project';
import { fmt, markdownTable, times } from './report';
import {
  AGENTS,
  CpuMeter,
  type PhaseCpu,
  percentOfOneCore,
  SERVICE_NAMES,
  type ServiceName,
  ServiceSet,
} from './services';
import { ratio, sleep } from './stats';

export class ServiceStage {
  /** CPU use per phase, per process. */
  private readonly cpuUse: Record<string, PhaseCpu> = {};
  /** RSS per moment ('idle', 'peak under e2e load', …), MB per service. */
  readonly memory: Record<string, Record<string, number>> = {};
  /** When the first task of the run was submitted: what the rebuild reads from. */
  loadSince: Date | undefined;

  private constructor(
    private readonly bench: Bench,
    readonly services: ServiceSet,
    /** With --mongo-trace, a counting proxy between each service and MongoDB. */
    readonly traces: ReadonlyMap<ServiceName, MongoTrace>,
  ) {}

  get gatewayUrl(): string {
    return this.services.url('gateway');
  }

  /**
   * Builds the services, loads the catalogue into the run's database, resets the services' groups
   * to the topics' end and starts the gateway and the three agents.
   */
  static async start(bench: Bench): Promise<ServiceStage> {
    const { params, stack, kafka, cleanup, log } = bench;
    for (const app of SERVICE_NAMES) {
      if (stack.isRunning(app)) {
        log(`${app} is running from npm start (pid file): stopping it, its consumer group is needed`);
        await stack.stopProcess(app);
      }
    }
    await assertGroupsIdle(kafka, GROUPS);
    log('building the services');
    await (await loadBuild(bench.appRoot)).buildApps();
    const mongo = await connectMongo(bench.mongoUri);
    cleanup.add('MongoDB database', async () => {
      if (!params.keepDb) await mongo.dropDatabase();
      await mongo.close();
    });
    await loadData({
      connection: mongo,
      tenantId: 'default',
      ...defaultDataFiles(join(bench.root, 'data')),
      ifEmpty: false,
    });
    log(`MongoDB database ${bench.database} loaded`);
    log('resetting the services’ consumer groups to the topics’ end');
    await resetGroups(kafka, GROUPS);

    const offline: Record<string, string> = {
      TRIBUTARY_MONGO_URI: bench.mongoUri,
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
    const nodeArgs = params.profile ? ['--cpu-prof', `--cpu-prof-dir=${bench.profileDir}`] : [];
    const services = new ServiceSet(bench.appRoot, offline, bench.logDir, nodeArgs);
    cleanup.add('services', () => services.stop());
    const traces = new Map<ServiceName, MongoTrace>();
    if (params.mongoTrace) {
      for (const name of SERVICE_NAMES) {
        const trace = await MongoTrace.start(Number(new URL(bench.mongoUri).port || 27017));
        traces.set(name, trace);
        cleanup.add(`MongoDB trace proxy of ${name}`, () => trace.close());
      }
      log('MongoDB trace: each service talks to MongoDB through a counting proxy of its own');
    }
    const stage = new ServiceStage(bench, services, traces);
    log('starting gateway, planner, research and reviewer (offline LLM)');
    // The gateway first: on a fresh stack it creates the task topics and registers their schemas,
    // which the agents racing it to do the same can fail at (see docs/benchmarks.md).
    await services.start(['gateway'], stage.tracedUri('gateway'));
    await Promise.all(AGENTS.map((name) => services.start([name], stage.tracedUri(name))));
    await sleep(3_000);
    const idle = services.rss();
    stage.memory.idle = { ...idle };
    for (const name of SERVICE_NAMES) {
      const mb = idle[name];
      if (mb !== undefined) bench.figures[`rss.idle.${name}`] = mb;
    }
    return stage;
  }

  /** The environment that points a service at its trace proxy (nothing without --mongo-trace). */
  tracedUri(name: ServiceName): Record<string, string> {
    const trace = this.traces.get(name);
    return trace
      ? {
          TRIBUTARY_MONGO_URI: Object.assign(new URL(this.bench.mongoUri), {
            port: String(trace.port),
          }).toString(),
        }
      : {};
  }

  /** The pids of every running service, of the stack's servers and of the bench process, by name. */
  private pids(): Record<string, number | undefined> {
    return {
      ...Object.fromEntries(this.services.names().map((n) => [n, this.services.pid(n)])),
      ...Object.fromEntries(STACK_SERVERS.map((s) => [s, this.bench.stack.readPidFile(s)?.pid])),
      bench: process.pid,
    };
  }

  /** CPU of every running service and of the stack's servers over a phase: who is the bottleneck. */
  cpu(): CpuMeter {
    return new CpuMeter(() => this.pids()).begin();
  }

  /** Starts measuring what a phase's tasks cost: the CPU of every process and the records written. */
  cost(): Promise<CostMeter> {
    return CostMeter.begin(this.bench.kafka, () => this.pids());
  }

  /** Keeps a phase's CPU use for the report's table (% of one core per process). */
  recordCpu(phase: string, cpu: PhaseCpu): void {
    this.cpuUse[phase] = cpu;
  }

  /**
   * The report's headline for a phase whose completed tasks each went through all four services:
   * the system's CPU per task (services, Kafka, registry, store) and its split by process, beside
   * raw kafkajs moving as many messages per task at the phase's message rate, measured now.
   */
  async recordCost(
    phase: string,
    figure: 'e2e' | 'capacity',
    cost: PhaseCost,
    completedTasks: number,
  ): Promise<void> {
    const { params, kafka, cleanup, runId, config, report, figures, log, stack } = this.bench;
    this.recordCpu(phase, cost.cpu);
    if (completedTasks === 0) return;
    const msPerTask = Object.fromEntries(
      Object.entries(cost.cpu.cpuSeconds).map(([name, s]) => [name, (s * 1000) / completedTasks]),
    );
    const system = [...SERVICE_NAMES, ...STACK_SERVERS].reduce(
      (sum, name) => sum + (msPerTask[name] ?? 0),
      0,
    );
    const busy = [...SERVICE_NAMES, ...STACK_SERVERS].reduce(
      (sum, name) => sum + (cost.cpu.cpuSeconds[name] ?? 0),
      0,
    );
    const messagesPerTask = cost.records / completedTasks;
    const rate = cost.records / cost.cpu.wallSeconds;
    log(
      `${phase}: ${fmt(system, 1)} ms of CPU per task over the system (${[...SERVICE_NAMES, ...STACK_SERVERS].map((n) => `${n} ${fmt(msPerTask[n], 1)}`).join(', ')}); ${fmt(messagesPerTask, 1)} messages per task; now raw kafkajs at ${fmt(rate, 0)} messages/s`,
    );
    let raw: RawKafkaCost | undefined;
    if (cost.records > 0) {
      raw = await rawKafkaCost(
        { kafka, replication: config.kafka, cleanup, runId, kafkaPid: () => stack.readPidFile('kafka')?.pid },
        {
          phase: figure,
          messages: Math.max(100, Math.round(rate * Math.min(cost.cpu.wallSeconds, params.rawSeconds))),
          rate,
          valueBytes: Math.max(1, Math.round(cost.bytes / cost.records)),
          partitions: config.kafka.partitions,
        },
      );
    }
    const rawPerTask = raw === undefined ? undefined : raw.total * messagesPerTask;
    report.cpuPerTask.push({
      phase,
      tasks: completedTasks,
      tasksPerSecond: completedTasks / cost.cpu.wallSeconds,
      wallSeconds: cost.cpu.wallSeconds,
      system,
      coresBusy: busy / cost.cpu.wallSeconds,
      msPerTask,
      messagesPerTask,
      bytesPerMessage: cost.bytes / Math.max(1, cost.records),
      perTopic: cost.perTopic,
      others: cost.others,
      raw:
        raw === undefined || rawPerTask === undefined
          ? undefined
          : {
              msPerTask: rawPerTask,
              messages: raw.messages,
              rate: raw.rate,
              msPerMessage: raw.msPerMessage,
              background: raw.background,
            },
      ratio: rawPerTask === undefined ? undefined : ratio(system, rawPerTask),
    });
    figures[`cost.${figure}.system`] = system;
    if (rawPerTask !== undefined) figures[`cost.${figure}.raw`] = rawPerTask;
    log(
      `${phase}: raw kafkajs ${fmt(rawPerTask, 2)} ms per task (${fmt(messagesPerTask, 1)} messages); the system ${times(ratio(system, rawPerTask ?? NaN))} that`,
    );
  }

  /** Stops the services and adds the CPU and memory sections to the report. */
  async stop(): Promise<void> {
    const { report } = this.bench;
    if (Object.keys(this.cpuUse).length > 0) {
      const percent = Object.fromEntries(
        Object.entries(this.cpuUse).map(([phase, cpu]) => [phase, percentOfOneCore(cpu)]),
      );
      const names = [...new Set(Object.values(percent).flatMap((v) => Object.keys(v)))];
      report.sections.push({
        title: 'CPU use per phase (% of one core; the machine has ' + String(cpus().length) + ')',
        lines: markdownTable(
          ['phase', ...names],
          Object.entries(percent).map(([phase, v]) => [phase, ...names.map((n) => fmt(v[n], 0))]),
        ),
      });
      report.details.cpu = percent;
    }
    const names = SERVICE_NAMES as readonly string[];
    report.sections.push({
      title: 'Memory (RSS, MB)',
      lines: markdownTable(
        ['when', ...names],
        Object.entries(this.memory).map(([when, values]) => [when, ...names.map((n) => fmt(values[n], 0))]),
      ),
    });
    report.details.memory = this.memory;
    report.details.processes = this.services.started;
    await this.services.stop();
  }
}

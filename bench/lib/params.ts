/**
 * The bench's flags, as data: each numeric setting with its flag, its full and quick values and
 * what it sets. `--help` is printed from this table.
 */
import { parseArgs as parseFlags } from 'node:util';

interface NumberFlag {
  readonly flag: string;
  /** The placeholder shown in --help. */
  readonly arg: string;
  readonly full: number;
  readonly quick: number;
  readonly help: string;
}

const NUMBERS = {
  hopN: {
    flag: 'hop-n',
    arg: 'N',
    full: 2000,
    quick: 400,
    help: 'one-at-a-time round trips for floor and hop',
  },
  hopWarmup: { flag: 'hop-warmup', arg: 'N', full: 200, quick: 50, help: 'warm-up round trips' },
  autoCommitN: {
    flag: 'auto-commit-n',
    arg: 'N',
    full: 300,
    quick: 100,
    help: 'round trips of the raw kafkajs hop with autoCommit',
  },
  chainN: {
    flag: 'chain-n',
    arg: 'N',
    full: 500,
    quick: 150,
    help: 'one-at-a-time messages through the 3-step chains',
  },
  chainRate: {
    flag: 'chain-rate',
    arg: 'R',
    full: 200,
    quick: 200,
    help: 'open-loop messages/s through the 3-step chains',
  },
  chainSeconds: { flag: 'chain-seconds', arg: 'S', full: 10, quick: 3, help: 'open-loop duration' },
  e2eRate: {
    flag: 'rate',
    arg: 'R',
    full: 2,
    quick: 2,
    help: 'end-to-end tasks/s, open loop, below capacity',
  },
  e2eSeconds: { flag: 'seconds', arg: 'S', full: 40, quick: 12, help: 'end-to-end duration' },
  e2eWarmup: {
    flag: 'e2e-warmup',
    arg: 'N',
    full: 20,
    quick: 10,
    help: 'warm-up tasks before the end-to-end run',
  },
  tracingRounds: {
    flag: 'tracing-rounds',
    arg: 'N',
    full: 3,
    quick: 2,
    help: 'tracing: rounds of an end-to-end run with tracing off, then on (modes alternated against drift)',
  },
  tracingSeconds: {
    flag: 'tracing-seconds',
    arg: 'S',
    full: 60,
    quick: 20,
    help: 'tracing: end-to-end seconds measured per mode, split over the rounds (at --rate)',
  },
  connections: {
    flag: 'connections',
    arg: 'C',
    full: 16,
    quick: 16,
    help: 'autocannon connections on the accept path',
  },
  acceptSeconds: {
    flag: 'accept-seconds',
    arg: 'S',
    full: 10,
    quick: 5,
    help: 'autocannon duration per server',
  },
  acceptWarmup: {
    flag: 'accept-warmup',
    arg: 'S',
    full: 3,
    quick: 2,
    help: 'autocannon warm-up per server',
  },
  llmDelayMs: {
    flag: 'llm-delay',
    arg: 'MS',
    full: 2000,
    quick: 2000,
    help: "the LLM simulator's answer delay",
  },
  slowConcurrency: {
    flag: 'slow-concurrency',
    arg: 'C',
    full: 64,
    quick: 64,
    help: 'TRIBUTARY_CONCURRENCY of the agents in the slow-LLM run',
  },
  slowQueued: {
    flag: 'slow-queued',
    arg: 'Q',
    full: 1,
    quick: 1,
    help: 'tasks kept in flight per agent slot beyond the 3 × C that fill the slots; 1 makes 4C in all',
  },
  slowSeconds: { flag: 'slow-seconds', arg: 'S', full: 20, quick: 8, help: 'slow-LLM measuring window' },
  slowWarmupS: {
    flag: 'slow-warmup',
    arg: 'S',
    full: 20,
    quick: 8,
    help: 'slow-LLM warm-up before the window, at least 3 delays + 2 s',
  },
  slowOneSeconds: {
    flag: 'slow-one-seconds',
    arg: 'S',
    full: 16,
    quick: 8,
    help: 'measuring window of the one-at-a-time run',
  },
  capacityInFlight: {
    flag: 'capacity-inflight',
    arg: 'K',
    full: 8,
    quick: 8,
    help: 'end-to-end capacity run: tasks kept in flight at the first step (doubled while throughput grows ≥ 10 %)',
  },
  capacityMaxInFlight: {
    flag: 'capacity-max-inflight',
    arg: 'K',
    full: 128,
    quick: 64,
    help: 'end-to-end capacity run: the most tasks kept in flight',
  },
  capacitySeconds: {
    flag: 'capacity-seconds',
    arg: 'S',
    full: 20,
    quick: 6,
    help: 'end-to-end capacity run: measuring window after 10 s warm-up',
  },
  rawSeconds: {
    flag: 'raw-seconds',
    arg: 'S',
    full: 10,
    quick: 5,
    help: 'raw kafkajs baseline of the CPU per task: at most S seconds at the phase’s message rate',
  },
  idleSeconds: {
    flag: 'idle-seconds',
    arg: 'S',
    full: 60,
    quick: 15,
    help: 'idle period: CPU with nothing submitted',
  },
  listTasks: {
    flag: 'list-tasks',
    arg: 'N',
    full: 100_000,
    quick: 10_000,
    help: 'lists: stored tasks at the large point (seeded into the read model directly, with the projection’s own code)',
  },
  listSmall: {
    flag: 'list-small',
    arg: 'N',
    full: 1_000,
    quick: 1_000,
    help: 'lists: stored tasks at the small point, the baseline',
  },
  listReads: {
    flag: 'list-reads',
    arg: 'N',
    full: 100,
    quick: 30,
    help: 'lists: requests per page and point, one at a time, after one warm-up',
  },
  listBudgetS: {
    flag: 'list-budget',
    arg: 'S',
    full: 60,
    quick: 20,
    help: 'lists: stop reading a page after S seconds (at least one request is timed)',
  },
  listTimeoutS: {
    flag: 'list-timeout',
    arg: 'S',
    full: 120,
    quick: 60,
    help: 'lists: give up on a request after S seconds',
  },
  listSeedBudgetS: {
    flag: 'list-seed-budget',
    arg: 'S',
    full: 3600,
    quick: 900,
    help: 'lists: stop seeding (and measure at what is stored) when the next chunk would end after S seconds',
  },
  rebuildTimeoutS: {
    flag: 'rebuild-timeout',
    arg: 'S',
    full: 180,
    quick: 180,
    help: 'kill the rebuild command after S seconds',
  },
  rebuildBatch: {
    flag: 'rebuild-batch',
    arg: 'N',
    full: 1000,
    quick: 1000,
    help: "the rebuild command's --batch: documents per insert command, as its own default",
  },
} satisfies Record<string, NumberFlag>;

type NumberSetting = keyof typeof NUMBERS;

export type Params = Record<NumberSetting, number> & {
  readonly quick: boolean;
  /** The scenarios to run, by name. */
  readonly only: ReadonlySet<string>;
  /** Run the services and the rebuild with --cpu-prof into <results>/profiles. */
  readonly profile: boolean;
  /** Keep the run's MongoDB databases. */
  readonly keepDb: boolean;
  /** Put a counting MongoDB proxy in front of each service (diagnostics; adds a hop). */
  readonly mongoTrace: boolean;
  /** Build and run the services (and the rebuild command) from another checkout, for A/B runs. */
  readonly servicesRoot: string | undefined;
};

/** What the flags need to know of a scenario. */
interface ScenarioName {
  readonly name: string;
  readonly measures: string;
  /** Not part of a run unless named with --only. */
  readonly optIn?: boolean;
}

export function helpText(scenarios: readonly ScenarioName[]): string {
  const line = (left: string, right: string) => `  ${left.padEnd(24)}${right}`;
  return [
    'usage: node scripts/run-ts.mjs bench/run.ts [flags]   (npm run bench -- [flags])',
    '',
    line('--quick', 'fewer samples and shorter phases (about 3 minutes)'),
    line('--only a,b', 'run only these scenarios (by default all but the opt-in ones):'),
    ...scenarios.map((s) =>
      line('', `  ${s.name.padEnd(8)} ${s.optIn === true ? '(opt-in) ' : ''}${s.measures}`),
    ),
    line('--scenario a,b', 'the same as --only'),
    ...Object.values(NUMBERS).map((n: NumberFlag) =>
      line(
        `--${n.flag} ${n.arg}`,
        `${n.help} (${n.full === n.quick ? String(n.full) : `full ${n.full}, quick ${n.quick}`})`,
      ),
    ),
    line('--profile', 'run services and the rebuild with --cpu-prof into <results>/profiles'),
    line('--keep-db', "keep the run's MongoDB database"),
    line('--mongo-trace', "count and time the services' MongoDB commands through a proxy (adds a hop)"),
    line('--services-root DIR', 'build and run the services from another checkout (A/B against this one)'),
    '',
  ].join('\n');
}

/** Reads the flags; throws with the usage on an unknown flag or a bad value. */
export function parseArgs(argv: readonly string[], scenarios: readonly ScenarioName[]): Params | 'help' {
  const numberOptions = Object.fromEntries(
    Object.values(NUMBERS).map((n: NumberFlag) => [n.flag, { type: 'string' as const }]),
  );
  const { values } = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      scenario: { type: 'string' },
      profile: { type: 'boolean' },
      'keep-db': { type: 'boolean' },
      'mongo-trace': { type: 'boolean' },
      'services-root': { type: 'string' },
      ...numberOptions,
    },
  });
  if (values.help === true) return 'help';
  const quick = values.quick === true;
  const given = values as Record<string, string | boolean | undefined>;
  const numbers = {} as Record<NumberSetting, number>;
  for (const [key, n] of Object.entries(NUMBERS) as [NumberSetting, NumberFlag][]) {
    const text = given[n.flag];
    const value = typeof text === 'string' ? Number(text) : quick ? n.quick : n.full;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${n.flag} needs a positive number`);
    numbers[key] = value;
  }
  const known = scenarios.map((s) => s.name);
  let only = new Set(scenarios.filter((s) => s.optIn !== true).map((s) => s.name));
  const chosen = [values.only, values.scenario].filter((v) => typeof v === 'string');
  if (chosen.length > 0) {
    const names = chosen.flatMap((v) => v.split(',')).filter(Boolean);
    const unknown = names.filter((name) => !known.includes(name));
    if (unknown.length > 0 || names.length === 0) throw new Error(`--only takes ${known.join(', ')}`);
    only = new Set(names);
  }
  return {
    ...numbers,
    quick,
    only,
    profile: values.profile === true,
    keepDb: values['keep-db'] === true,
    mongoTrace: values['mongo-trace'] === true,
    servicesRoot: typeof values['services-root'] === 'string' ? values['services-root'] : undefined,
  };
}

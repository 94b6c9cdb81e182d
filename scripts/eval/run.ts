/**
 * Recommendation quality on the judged set, every figure beside a BM25 baseline from the same run:
 *
 *   npm run eval                                   # the offline provider
 *   npm run eval -- --llm http://127.0.0.1:8000/v1 --model qwen2.5-7b-instruct
 *   npm run eval -- --only alice --k 3             # a subset, another cut-off
 *   npm run eval -- --variant rounds5:TRIBUTARY_REVIEW_MAX_ROUNDS=5   # a second column
 *
 * Runs the planner, research and reviewer agents in this process (their own modules and use cases,
 * events through an in-process bus, stores in memory), prints a table and writes report.json and
 * report.md into eval/results/<timestamp>/. See docs/eval.md.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalogueFile, loadProfilesFile } from '@tributary/catalogue';
import { loadConfig, type TributaryConfig } from '@tributary/config';
import {
  type RecommendationReady,
  type ReviewCompleted,
  TOPICS,
  type TaskFailed,
} from '@tributary/contracts';
import { type EvalCase, loadCases, requestOf, type ReviewedRound } from '@tributary/evaluation';
import { errorMessage } from '@tributary/kafka';
import { BASELINE, Bm25Baseline } from './baseline';
import { type AgentsRun, InProcessAgents } from './in-process-agents';
import {
  renderMarkdown,
  type Report,
  slices,
  slicesTable,
  summarise,
  summaryTable,
  type SystemInfo,
} from './report';
import { type AgentsAnswer, type CaseResult, idealGrades, runFacts, scoreList } from './score';

const HELP = `npm run eval -- [options]

  --llm <base URL>     run against an OpenAI-compatible endpoint (its key from TRIBUTARY_LLM_API_KEY)
                       instead of the offline provider
  --model <name>       the model to ask for (with --llm; default TRIBUTARY_LLM_MODEL or gpt-4o-mini)
  --variant <name>:<VAR=value>[,<VAR=value>…]
                       also run the agents with these environment variables changed, as another
                       column of the same report (repeatable)
  --cases <dir>        the judged set, *.jsonl files (default data/eval/cases)
  --only <text>        only the cases whose id or user id contains the text
  --k <n>              the nDCG cut-off (default 5)
  --concurrency <n>    tasks run at once (default 1 offline, 4 with --llm)
  --out <dir>          where the report goes (default eval/results/<timestamp>)
  --help`;

interface Variant {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
}

interface Options {
  readonly llm?: string;
  readonly model?: string;
  readonly variants: readonly Variant[];
  readonly cases: string;
  readonly only?: string;
  readonly k: number;
  readonly concurrency: number;
  readonly out?: string;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number, not "${value}"`);
  return n;
}

function variant(text: string): Variant {
  const match = /^([A-Za-z0-9._-]+):(.+)$/.exec(text);
  const pairs = match?.[2]?.split(',').map((pair) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair.trim()));
  if (!match?.[1] || !pairs || pairs.some((pair) => !pair))
    throw new Error(`--variant takes <name>:<VAR=value>[,<VAR=value>…], not "${text}"`);
  return {
    name: match[1],
    env: Object.fromEntries(pairs.map((pair) => [pair?.[1] ?? '', pair?.[2] ?? ''])),
  };
}

function options(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      llm: { type: 'string' },
      model: { type: 'string' },
      variant: { type: 'string', multiple: true, default: [] },
      cases: { type: 'string', default: 'data/eval/cases' },
      only: { type: 'string' },
      k: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  if (values.model !== undefined && values.llm === undefined) throw new Error('--model needs --llm');
  const variants = values.variant.map(variant);
  const taken = new Set(['agents']);
  for (const { name } of variants) {
    if (taken.has(name)) throw new Error(`--variant ${name} is named twice (or "agents")`);
    taken.add(name);
  }
  return {
    llm: values.llm,
    model: values.model,
    variants,
    cases: values.cases,
    only: values.only,
    k: positiveInt('--k', values.k, 5),
    concurrency: positiveInt('--concurrency', values.concurrency, values.llm === undefined ? 1 : 4),
    out: values.out,
  };
}

/** The reviewer's configuration from the environment (with a variant's changes), with the provider this run asks for. */
function configFor(opts: Options, changes: Readonly<Record<string, string>>): TributaryConfig {
  // The one read of the environment: a variant is the process's configuration with some variables changed.
  // eslint-disable-next-line no-restricted-properties
  const config = loadConfig('reviewer-agent', { ...process.env, ...changes });
  return {
    ...config,
    llm: {
      ...config.llm,
      // Offline unless --llm says otherwise, whatever the environment configures for the services.
      baseUrl: opts.llm,
      model: opts.model ?? config.llm.model,
    },
  };
}

function outcomeOf(run: AgentsRun): {
  itemIds: string[];
  outcome: 'approved' | 'best-effort' | 'failed';
  rounds: ReviewedRound[];
  failure?: string;
} {
  const of = <T>(topic: { name: string }): T[] =>
    run.events.filter((event) => event.topic === topic.name).map((event) => event.value as T);
  const rounds = of<ReviewCompleted>(TOPICS.reviewCompleted).map(({ round, score, verdict }) => ({
    round,
    score,
    verdict,
  }));
  const ready = of<RecommendationReady>(TOPICS.recommendationReady)[0];
  if (ready) {
    return {
      itemIds: ready.recommendations.map((rec) => rec.itemId),
      outcome: ready.bestEffort ? 'best-effort' : 'approved',
      rounds,
    };
  }
  const failed = of<TaskFailed>(TOPICS.taskFailed)[0];
  const failure =
    failed?.reason ?? (run.error !== undefined ? errorMessage(run.error) : 'the task ended without a result');
  return { itemIds: [], outcome: 'failed', rounds, failure };
}

async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  if (!opts) {
    console.log(HELP);
    return;
  }
  const startedAt = new Date();
  const base = configFor(opts, {});
  const [catalogue, profiles] = await Promise.all([
    loadCatalogueFile(join(base.dataDir, 'catalogue.jsonl')),
    loadProfilesFile(join(base.dataDir, 'profiles.jsonl')),
  ]);
  const byId = new Map(catalogue.map((item) => [item.id, item]));
  const cases = loadCases(opts.cases, catalogue, profiles).filter(
    (c) => opts.only === undefined || c.id.includes(opts.only) || c.userId.includes(opts.only),
  );
  if (cases.length === 0) throw new Error(`no case matches --only ${opts.only ?? ''}`);
  const ideals = new Map(cases.map((c) => [c.id, idealGrades(c, catalogue, opts.k)]));
  const bm25 = new Bm25Baseline(catalogue);
  const baselines = new Map(
    cases.map((c) => {
      const { itemIds, latencyMs } = bm25.answer(requestOf(c));
      return [c.id, { ...scoreList(c, itemIds, byId, ideals.get(c.id) ?? [], opts.k), latencyMs }];
    }),
  );
  console.log(`${cases.length} judged requests; baseline: ${BASELINE}`);

  const systems: SystemInfo[] = [];
  const answers: AgentsAnswer[][] = [];
  for (const { name, env } of [{ name: 'agents', env: {} }, ...opts.variants]) {
    const config = configFor(opts, env);
    const agents = await InProcessAgents.start(config, catalogue, profiles);
    systems.push({ name, provider: agents.provider, env });
    console.log(`\n${name}: provider ${agents.provider}`);
    let done = 0;
    const evaluate = async (evalCase: EvalCase): Promise<AgentsAnswer> => {
      const run = await agents.run(`eval-${name}-${evalCase.id}-${startedAt.getTime()}`, requestOf(evalCase));
      const { itemIds, outcome, rounds, failure } = outcomeOf(run);
      const answer: AgentsAnswer = {
        ...scoreList(evalCase, itemIds, byId, ideals.get(evalCase.id) ?? [], opts.k),
        ...runFacts(outcome, rounds, run.llmCalls.length, run.latencyMs, failure),
      };
      done += 1;
      const covered = answer.intentsCovered.filter(Boolean).length;
      console.log(
        `[${String(done).padStart(3)}/${cases.length}] ${evalCase.id.padEnd(40)} ${outcome.padEnd(11)} ` +
          `intents ${covered}/${evalCase.intents.length}  nDCG ${answer.ndcg?.toFixed(2) ?? '–'} ` +
          `(BM25 ${baselines.get(evalCase.id)?.ndcg?.toFixed(2) ?? '–'})  ${run.latencyMs.toFixed(0)} ms`,
      );
      return answer;
    };
    try {
      answers.push(await pool(cases, opts.concurrency, evaluate));
    } finally {
      await agents.stop();
    }
  }

  const results: CaseResult[] = cases.map((c, i) => ({
    id: c.id,
    userId: c.userId,
    query: c.query,
    labels: c.labels,
    intents: c.intents.map((intent) => intent.label),
    answers: answers.map((system) => system[i] as AgentsAnswer),
    baseline: baselines.get(c.id) as CaseResult['baseline'],
  }));
  const report: Report = {
    startedAt: startedAt.toISOString(),
    systems,
    baseline: BASELINE,
    k: opts.k,
    maxRounds: base.review.maxRounds,
    approveThreshold: base.review.approveThreshold,
    cases: results.length,
    rows: summarise(results),
    slices: slices(results),
    results,
  };
  const out = resolve(opts.out ?? join('eval', 'results', startedAt.toISOString().replace(/[:.]/g, '-')));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'report.md'), renderMarkdown(report));
  console.log(`\n${summaryTable(report)}\n\n${slicesTable(report)}\n\nReport: ${out}/report.md`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

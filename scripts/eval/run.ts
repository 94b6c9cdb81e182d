/**
 * Recommendation quality on the judged set, every figure beside a BM25 baseline from the same run:
 *
 *   npm run eval                                   # the offline provider
 *   npm run eval -- --llm http://127.0.0.1:8000/v1 --model qwen2.5-7b-instruct
 *   npm run eval -- --only alice --k 3             # a subset, another cut-off
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
import { loadConfigFromProcess, type TributaryConfig } from '@tributary/config';
import {
  type RecommendationReady,
  type ReviewCompleted,
  TOPICS,
  type TaskFailed,
} from '@tributary/contracts';
import { errorMessage } from '@tributary/kafka';
import { BASELINE, Bm25Baseline } from './baseline';
import { type EvalCase, loadCases, requestOf } from './cases';
import { type AgentsRun, InProcessAgents } from './in-process-agents';
import { type ReviewedRound } from './metrics';
import { renderMarkdown, type Report, slices, slicesTable, summarise, summaryTable } from './report';
import { type CaseResult, idealGrades, runFacts, scoreList } from './score';

const HELP = `npm run eval -- [options]

  --llm <base URL>     run against an OpenAI-compatible endpoint (its key from TRIBUTARY_LLM_API_KEY)
                       instead of the offline provider
  --model <name>       the model to ask for (with --llm; default TRIBUTARY_LLM_MODEL or gpt-4o-mini)
  --cases <dir>        the judged set, *.jsonl files (default data/eval/cases)
  --only <text>        only the cases whose id or user id contains the text
  --k <n>              the nDCG cut-off (default 5)
  --concurrency <n>    tasks run at once (default 1 offline, 4 with --llm)
  --out <dir>          where the report goes (default eval/results/<timestamp>)
  --help`;

interface Options {
  readonly llm?: string;
  readonly model?: string;
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

function options(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      llm: { type: 'string' },
      model: { type: 'string' },
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
  return {
    llm: values.llm,
    model: values.model,
    cases: values.cases,
    only: values.only,
    k: positiveInt('--k', values.k, 5),
    concurrency: positiveInt('--concurrency', values.concurrency, values.llm === undefined ? 1 : 4),
    out: values.out,
  };
}

/** The reviewer's configuration from the environment, with the provider this run asks for. */
function configFor(opts: Options): TributaryConfig {
  const config = loadConfigFromProcess('reviewer-agent');
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
  const config = configFor(opts);
  const [catalogue, profiles] = await Promise.all([
    loadCatalogueFile(join(config.dataDir, 'catalogue.jsonl')),
    loadProfilesFile(join(config.dataDir, 'profiles.jsonl')),
  ]);
  const byId = new Map(catalogue.map((item) => [item.id, item]));
  const cases = loadCases(opts.cases, catalogue, profiles).filter(
    (c) => opts.only === undefined || c.id.includes(opts.only) || c.userId.includes(opts.only),
  );
  if (cases.length === 0) throw new Error(`no case matches --only ${opts.only ?? ''}`);
  const baseline = new Bm25Baseline(catalogue);
  const agents = await InProcessAgents.start(config, catalogue, profiles);
  console.log(`${cases.length} judged requests, provider ${agents.provider}, baseline: ${BASELINE}`);

  let done = 0;
  const evaluate = async (evalCase: EvalCase): Promise<CaseResult> => {
    const request = requestOf(evalCase);
    const ideal = idealGrades(evalCase, catalogue, opts.k);
    const base = baseline.answer(request);
    const run = await agents.run(`eval-${evalCase.id}-${startedAt.getTime()}`, request);
    const { itemIds, outcome, rounds, failure } = outcomeOf(run);
    const result: CaseResult = {
      id: evalCase.id,
      userId: evalCase.userId,
      query: evalCase.query,
      labels: evalCase.labels,
      intents: evalCase.intents.map((intent) => intent.label),
      agents: {
        ...scoreList(evalCase, itemIds, byId, ideal, opts.k),
        ...runFacts(outcome, rounds, run.llmCalls.length, run.latencyMs, failure),
      },
      baseline: { ...scoreList(evalCase, base.itemIds, byId, ideal, opts.k), latencyMs: base.latencyMs },
    };
    done += 1;
    const covered = result.agents.intentsCovered.filter(Boolean).length;
    console.log(
      `[${String(done).padStart(3)}/${cases.length}] ${evalCase.id.padEnd(28)} ${outcome.padEnd(11)} ` +
        `intents ${covered}/${result.intents.length}  nDCG ${result.agents.ndcg?.toFixed(2) ?? '–'} ` +
        `(BM25 ${result.baseline.ndcg?.toFixed(2) ?? '–'})  ${run.latencyMs.toFixed(0)} ms`,
    );
    return result;
  };
  let results: CaseResult[];
  try {
    results = await pool(cases, opts.concurrency, evaluate);
  } finally {
    await agents.stop();
  }

  const report: Report = {
    startedAt: startedAt.toISOString(),
    provider: agents.provider,
    baseline: BASELINE,
    k: opts.k,
    maxRounds: config.review.maxRounds,
    approveThreshold: config.review.approveThreshold,
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

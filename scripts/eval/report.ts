import { mean, percentile } from '@tributary/evaluation';
import { type AgentsAnswer, type CaseResult, type ListScore } from './score';

/**
 * One figure of the report: its value for each configuration of the agents (in the order of
 * `Report.systems`), the same-run baseline's when it has one, and their ratios.
 */
export interface Row {
  readonly metric: string;
  readonly systems: readonly (number | null)[];
  readonly baseline: number | null;
  /** How the figure reads: a share in [0, 1], a count, milliseconds, a plain number. */
  readonly unit: 'share' | 'count' | 'ms' | 'number';
}

export interface Slice {
  readonly slice: string;
  readonly cases: number;
  readonly coverage: Row;
  readonly allCovered: Row;
  readonly ndcg: Row;
}

export interface SystemInfo {
  /** "agents", or the name given with --variant. */
  readonly name: string;
  readonly provider: string;
  /** The environment variables the variant sets on top of the process's. */
  readonly env: Readonly<Record<string, string>>;
}

export interface Report {
  readonly startedAt: string;
  readonly systems: readonly SystemInfo[];
  readonly baseline: string;
  readonly k: number;
  readonly maxRounds: number;
  readonly approveThreshold: number;
  readonly cases: number;
  readonly rows: readonly Row[];
  readonly slices: readonly Slice[];
  readonly results: readonly CaseResult[];
}

const share = (flags: readonly boolean[]): number | null =>
  flags.length === 0 ? null : flags.filter(Boolean).length / flags.length;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function coverage(scores: readonly ListScore[]): number | null {
  return share(scores.flatMap((score) => score.intentsCovered));
}

function allCovered(scores: readonly ListScore[]): number | null {
  return share(scores.map((score) => score.intentsCovered.every(Boolean)));
}

function ndcg(scores: readonly ListScore[]): number | null {
  return mean(scores.map((score) => score.ndcg).filter((value): value is number => value !== null));
}

function systemCount(results: readonly CaseResult[]): number {
  return results[0]?.answers.length ?? 0;
}

/** A figure of the answers, for every configuration and for the baseline. */
function answerRow(
  metric: string,
  unit: Row['unit'],
  results: readonly CaseResult[],
  of: (scores: readonly ListScore[]) => number | null,
): Row {
  return {
    metric,
    unit,
    systems: Array.from({ length: systemCount(results) }, (_, i) =>
      of(results.map((r) => r.answers[i] as AgentsAnswer)),
    ),
    baseline: of(results.map((r) => r.baseline)),
  };
}

/** A figure of the runs (rounds, calls, outcomes), which the baseline does not have. */
function runRow(
  metric: string,
  unit: Row['unit'],
  results: readonly CaseResult[],
  of: (answers: readonly AgentsAnswer[]) => number | null,
  baseline: number | null = null,
): Row {
  return {
    metric,
    unit,
    systems: Array.from({ length: systemCount(results) }, (_, i) =>
      of(results.map((r) => r.answers[i] as AgentsAnswer)),
    ),
    baseline,
  };
}

export function summarise(results: readonly CaseResult[]): Row[] {
  const multi = results.filter((r) => r.intents.length > 1);
  const revised = (answers: readonly AgentsAnswer[]): number => sum(answers.map((a) => a.revised));
  return [
    answerRow('intent coverage', 'share', results, coverage),
    answerRow('multi-intent requests with every intent covered', 'share', multi, allCovered),
    answerRow('requests with every intent covered', 'share', results, allCovered),
    answerRow('nDCG@k', 'number', results, ndcg),
    answerRow('items breaking a hard constraint', 'count', results, (s) =>
      sum(s.map((x) => x.violations.length)),
    ),
    answerRow('requests with a constraint broken', 'share', results, (s) =>
      share(s.map((x) => x.violations.length > 0)),
    ),
    answerRow('items the judgement rules out', 'count', results, (s) => sum(s.map((x) => x.excluded.length))),
    answerRow('distinct categories per answer', 'number', results, (s) => mean(s.map((x) => x.categories))),
    answerRow('intra-list diversity (1 − tag Jaccard)', 'number', results, (s) =>
      mean(s.map((x) => x.diversity)),
    ),
    answerRow('items per answer', 'number', results, (s) => mean(s.map((x) => x.itemIds.length))),
    runRow('revise rounds that raised the review score', 'share', results, (a) =>
      revised(a) === 0 ? null : sum(a.map((x) => x.raised)) / revised(a),
    ),
    runRow('revise rounds', 'count', results, revised),
    runRow('review rounds per task', 'number', results, (a) => mean(a.map((x) => x.rounds.length))),
    runRow('best-effort endings', 'share', results, (a) => share(a.map((x) => x.outcome === 'best-effort'))),
    runRow('failed tasks', 'share', results, (a) => share(a.map((x) => x.outcome === 'failed'))),
    runRow('LLM calls per task', 'number', results, (a) => mean(a.map((x) => x.llmCalls)), 0),
    runRow(
      'latency p50',
      'ms',
      results,
      (a) =>
        percentile(
          a.map((x) => x.latencyMs),
          50,
        ),
      percentile(
        results.map((r) => r.baseline.latencyMs),
        50,
      ),
    ),
    runRow(
      'latency p95',
      'ms',
      results,
      (a) =>
        percentile(
          a.map((x) => x.latencyMs),
          95,
        ),
      percentile(
        results.map((r) => r.baseline.latencyMs),
        95,
      ),
    ),
  ];
}

/** Coverage and nDCG per label and per user, so a change can be traced to the kind of request it helped. */
export function slices(results: readonly CaseResult[]): Slice[] {
  const groups = new Map<string, CaseResult[]>();
  for (const result of results) {
    const keys = new Set([
      result.intents.length > 1 ? 'multi-intent' : 'single-intent',
      ...result.labels,
      result.userId,
    ]);
    for (const key of keys) groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  const users = new Set(results.map((result) => result.userId));
  const order = (key: string): string =>
    `${key.endsWith('-intent') ? 0 : users.has(key) ? 2 : 1}${key.startsWith('single') ? 0 : 1}${key}`;
  return [...groups.entries()]
    .sort(([a], [b]) => order(a).localeCompare(order(b)))
    .map(([slice, group]) => ({
      slice,
      cases: group.length,
      coverage: answerRow('intent coverage', 'share', group, coverage),
      allCovered: answerRow('every intent covered', 'share', group, allCovered),
      ndcg: answerRow('nDCG@k', 'number', group, ndcg),
    }));
}

function format(value: number | null, unit: Row['unit']): string {
  if (value === null) return '–';
  switch (unit) {
    case 'share':
      return `${(value * 100).toFixed(1)} %`;
    case 'count':
      return String(value);
    case 'ms':
      return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
    case 'number':
      return value.toFixed(3);
  }
}

/** A configuration's figure ÷ the baseline's, when both exist and the baseline is not zero. */
export function ratio(value: number | null, baseline: number | null): string {
  if (value === null || baseline === null || baseline === 0) return '–';
  return `${(value / baseline).toFixed(2)}×`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const names = (report: Pick<Report, 'systems'>): string[] => report.systems.map((system) => system.name);

export function summaryTable(report: Pick<Report, 'rows' | 'k' | 'systems'>): string {
  const several = report.systems.length > 1;
  return table(
    [
      'metric',
      ...names(report),
      'BM25 baseline',
      ...names(report).map((name) => (several ? `ratio ${name}` : 'ratio')),
    ],
    report.rows.map((r) => [
      r.metric.replace('@k', `@${report.k}`),
      ...r.systems.map((value) => format(value, r.unit)),
      format(r.baseline, r.unit),
      ...r.systems.map((value) => ratio(value, r.baseline)),
    ]),
  );
}

export function slicesTable(report: Pick<Report, 'slices' | 'k' | 'systems'>): string {
  const several = report.systems.length > 1;
  const heads = (figure: string): string[] => [
    ...names(report).map((name) => (several ? `${figure} ${name}` : figure)),
    'baseline',
  ];
  const cells = (row: Row): string[] => [
    ...row.systems.map((value) => format(value, row.unit)),
    format(row.baseline, row.unit),
  ];
  return table(
    ['slice', 'cases', ...heads('coverage'), ...heads('all covered'), ...heads(`nDCG@${report.k}`)],
    report.slices.map((s) => [
      s.slice,
      String(s.cases),
      ...cells(s.coverage),
      ...cells(s.allCovered),
      ...cells(s.ndcg),
    ]),
  );
}

function casesTable(report: Report, system: number): string {
  const covered = (flags: readonly boolean[]): string => `${flags.filter(Boolean).length}/${flags.length}`;
  return table(
    [
      'case',
      'user',
      'outcome',
      'rounds',
      'covered',
      'baseline',
      `nDCG@${report.k}`,
      'baseline',
      'missed intents',
      'items',
    ],
    report.results.map((r) => {
      const answer = r.answers[system] as AgentsAnswer;
      return [
        r.id,
        r.userId,
        answer.outcome,
        answer.rounds
          .map((round) => `${round.score.toFixed(2)}${round.verdict === 'revise' ? '↺' : ''}`)
          .join(' '),
        covered(answer.intentsCovered),
        covered(r.baseline.intentsCovered),
        format(answer.ndcg, 'number'),
        format(r.baseline.ndcg, 'number'),
        r.intents.filter((_, i) => !answer.intentsCovered[i]).join(', '),
        [
          answer.itemIds.join(' '),
          answer.violations.length > 0 ? ` ✗ ${answer.violations.map((v) => v.itemId).join(' ')}` : '',
          answer.failure ? ` (${answer.failure.slice(0, 80)})` : '',
        ].join(''),
      ];
    }),
  );
}

function describe(system: SystemInfo): string {
  const env = Object.entries(system.env).map(([key, value]) => `${key}=${value}`);
  return `${system.name}: provider ${system.provider}${env.length > 0 ? `, with ${env.join(' ')}` : ''}`;
}

export function renderMarkdown(report: Report): string {
  return [
    `# Recommendation quality, ${report.startedAt}`,
    '',
    `${report.systems.map(describe).join('; ')}. Baseline: ${report.baseline}. ${report.cases} judged ` +
      `requests; nDCG at ${report.k}; at most ${report.maxRounds} review rounds, approval at ${report.approveThreshold}.`,
    '',
    summaryTable(report),
    '',
    '## By kind of request and by user',
    '',
    slicesTable(report),
    '',
    ...report.systems.flatMap((system, i) => [
      `## Every case${report.systems.length > 1 ? `: ${system.name}` : ''}`,
      '',
      'Rounds: the review score of each round, ↺ when it was sent back. Items: the answer, ✗ the items breaking a constraint.',
      '',
      casesTable(report, i),
      '',
    ]),
  ].join('\n');
}

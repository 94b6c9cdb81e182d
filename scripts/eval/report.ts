import { mean, percentile } from './metrics';
import { type CaseResult, type ListScore } from './score';

/** One figure of the report: the pipeline's, the same-run baseline's when it has one, and their ratio. */
export interface Row {
  readonly metric: string;
  readonly agents: number | null;
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

export interface Report {
  readonly startedAt: string;
  readonly provider: string;
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

function row(
  metric: string,
  unit: Row['unit'],
  results: readonly CaseResult[],
  of: (scores: readonly ListScore[]) => number | null,
): Row {
  return {
    metric,
    unit,
    agents: of(results.map((r) => r.agents)),
    baseline: of(results.map((r) => r.baseline)),
  };
}

export function summarise(results: readonly CaseResult[]): Row[] {
  const multi = results.filter((r) => r.intents.length > 1);
  const agents = results.map((r) => r.agents);
  const revised = sum(agents.map((a) => a.revised));
  const agentsLatency = agents.map((a) => a.latencyMs);
  const baselineLatency = results.map((r) => r.baseline.latencyMs);
  return [
    row('intent coverage', 'share', results, coverage),
    row('multi-intent requests with every intent covered', 'share', multi, allCovered),
    row('requests with every intent covered', 'share', results, allCovered),
    row('nDCG@k', 'number', results, ndcg),
    row('items breaking a hard constraint', 'count', results, (s) => sum(s.map((x) => x.violations.length))),
    row('requests with a constraint broken', 'share', results, (s) =>
      share(s.map((x) => x.violations.length > 0)),
    ),
    row('items the judgement rules out', 'count', results, (s) => sum(s.map((x) => x.excluded.length))),
    row('distinct categories per answer', 'number', results, (s) => mean(s.map((x) => x.categories))),
    row('intra-list diversity (1 − tag Jaccard)', 'number', results, (s) => mean(s.map((x) => x.diversity))),
    row('items per answer', 'number', results, (s) => mean(s.map((x) => x.itemIds.length))),
    {
      metric: 'revise rounds that raised the review score',
      unit: 'share',
      agents: revised === 0 ? null : sum(agents.map((a) => a.raised)) / revised,
      baseline: null,
    },
    { metric: 'revise rounds', unit: 'count', agents: revised, baseline: null },
    {
      metric: 'review rounds per task',
      unit: 'number',
      agents: mean(agents.map((a) => a.rounds.length)),
      baseline: null,
    },
    {
      metric: 'best-effort endings',
      unit: 'share',
      agents: share(agents.map((a) => a.outcome === 'best-effort')),
      baseline: null,
    },
    {
      metric: 'failed tasks',
      unit: 'share',
      agents: share(agents.map((a) => a.outcome === 'failed')),
      baseline: null,
    },
    {
      metric: 'LLM calls per task',
      unit: 'number',
      agents: mean(agents.map((a) => a.llmCalls)),
      baseline: 0,
    },
    {
      metric: 'latency p50',
      unit: 'ms',
      agents: percentile(agentsLatency, 50),
      baseline: percentile(baselineLatency, 50),
    },
    {
      metric: 'latency p95',
      unit: 'ms',
      agents: percentile(agentsLatency, 95),
      baseline: percentile(baselineLatency, 95),
    },
  ];
}

/** Coverage and nDCG per label and per user, so a change can be traced to the kind of request it helped. */
export function slices(results: readonly CaseResult[]): Slice[] {
  const groups = new Map<string, CaseResult[]>();
  const add = (key: string, result: CaseResult): void => {
    groups.set(key, [...(groups.get(key) ?? []), result]);
  };
  for (const result of results) {
    const keys = new Set([
      result.intents.length > 1 ? 'multi-intent' : 'single-intent',
      ...result.labels,
      result.userId,
    ]);
    for (const key of keys) add(key, result);
  }
  const users = new Set(results.map((result) => result.userId));
  const order = (key: string): string =>
    `${key.endsWith('-intent') ? 0 : users.has(key) ? 2 : 1}${key.startsWith('single') ? 0 : 1}${key}`;
  return [...groups.entries()]
    .sort(([a], [b]) => order(a).localeCompare(order(b)))
    .map(([slice, group]) => ({
      slice,
      cases: group.length,
      coverage: row('intent coverage', 'share', group, coverage),
      allCovered: row('every intent covered', 'share', group, allCovered),
      ndcg: row('nDCG@k', 'number', group, ndcg),
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

/** agents ÷ baseline, when both exist and the baseline is not zero. */
export function ratio(r: Pick<Row, 'agents' | 'baseline'>): string {
  if (r.agents === null || r.baseline === null || r.baseline === 0) return '–';
  return `${(r.agents / r.baseline).toFixed(2)}×`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function summaryTable(report: Pick<Report, 'rows' | 'k'>): string {
  return table(
    ['metric', 'agents', 'BM25 baseline', 'ratio'],
    report.rows.map((r) => [
      r.metric.replace('@k', `@${report.k}`),
      format(r.agents, r.unit),
      format(r.baseline, r.unit),
      ratio(r),
    ]),
  );
}

export function slicesTable(report: Pick<Report, 'slices' | 'k'>): string {
  return table(
    ['slice', 'cases', 'coverage', 'baseline', 'all covered', 'baseline', `nDCG@${report.k}`, 'baseline'],
    report.slices.map((s) => [
      s.slice,
      String(s.cases),
      format(s.coverage.agents, 'share'),
      format(s.coverage.baseline, 'share'),
      format(s.allCovered.agents, 'share'),
      format(s.allCovered.baseline, 'share'),
      format(s.ndcg.agents, 'number'),
      format(s.ndcg.baseline, 'number'),
    ]),
  );
}

function casesTable(report: Report): string {
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
      'agents’ items',
    ],
    report.results.map((r) => [
      r.id,
      r.userId,
      r.agents.outcome,
      r.agents.rounds
        .map((round) => `${round.score.toFixed(2)}${round.verdict === 'revise' ? '↺' : ''}`)
        .join(' '),
      covered(r.agents.intentsCovered),
      covered(r.baseline.intentsCovered),
      format(r.agents.ndcg, 'number'),
      format(r.baseline.ndcg, 'number'),
      [
        r.agents.itemIds.join(' '),
        r.agents.violations.length > 0 ? ` ✗ ${r.agents.violations.map((v) => v.itemId).join(' ')}` : '',
        r.agents.failure ? ` (${r.agents.failure.slice(0, 80)})` : '',
      ].join(''),
    ]),
  );
}

export function renderMarkdown(report: Report): string {
  return [
    `# Recommendation quality, ${report.startedAt}`,
    '',
    `Provider: ${report.provider}. Baseline: ${report.baseline}. ${report.cases} judged requests; ` +
      `nDCG at ${report.k}; at most ${report.maxRounds} review rounds, approval at ${report.approveThreshold}.`,
    '',
    summaryTable(report),
    '',
    '## By kind of request and by user',
    '',
    slicesTable(report),
    '',
    '## Every case',
    '',
    'Rounds: the review score of each round, ↺ when it was sent back. Items: the answer, ✗ the items breaking a constraint.',
    '',
    casesTable(report),
    '',
  ].join('\n');
}

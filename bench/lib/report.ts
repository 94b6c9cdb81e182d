/** The run's report: one JSON document and its Markdown rendering (also printed). */
import { type Summary } from './stats';

/** One line of the main table: a measurement, its baseline from the same run, and their ratio. */
export interface Row {
  readonly scenario: string;
  readonly what: string;
  readonly latency?: Summary;
  /** Per second, in `unit`. */
  readonly throughput?: number;
  readonly unit?: string;
  readonly baseline?: string;
  /** measured ÷ baseline, on the figure `ratioOf` names. */
  readonly ratio?: number;
  readonly ratioOf?: string;
  readonly note?: string;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
}

/** The CPU a phase's tasks cost: CPU milliseconds per completed task, per process and for the four services together. */
export interface CpuPerTask {
  readonly phase: string;
  readonly tasks: number;
  readonly msPerTask: Readonly<Record<string, number>>;
}

export interface Report {
  readonly startedAt: string;
  finishedAt?: string;
  durationS?: number;
  readonly mode: 'quick' | 'full';
  readonly machine: Record<string, unknown>;
  readonly params: Record<string, unknown>;
  readonly cpuPerTask: CpuPerTask[];
  readonly rows: Row[];
  readonly targets: Target[];
  readonly sections: { title: string; lines: string[] }[];
  readonly details: Record<string, unknown>;
  readonly skipped: string[];
  readonly errors: string[];
}

export function fmt(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 100) return value.toFixed(Math.min(digits, 1));
  return value.toFixed(digits);
}

export function ms(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${fmt(value)} ms`;
}

export function times(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${fmt(value)}×`;
}

export function pct(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(1)} %`;
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
}

/** The headline: what one task costs in CPU, end to end (nothing when no such phase ran). */
function cpuPerTaskLines(phases: readonly CpuPerTask[]): string[] {
  if (phases.length === 0) return [];
  const names = [...new Set(phases.flatMap((p) => Object.keys(p.msPerTask)))];
  return [
    '## CPU per task',
    '',
    'CPU milliseconds per completed task, per process over the phase ("services": the four together).',
    '',
    ...table(
      ['phase', 'tasks', ...names],
      phases.map((p) => [p.phase, String(p.tasks), ...names.map((n) => fmt(p.msPerTask[n], 1))]),
    ),
    '',
  ];
}

export function renderMarkdown(report: Report): string {
  const lines: string[] = [
    `# Tributary benchmarks, ${report.startedAt}`,
    '',
    `Mode **${report.mode}**, ${report.durationS === undefined ? '' : `${report.durationS.toFixed(0)} s, `}machine: ${Object.entries(
      report.machine,
    )
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ')}.`,
    '',
    `Parameters: ${Object.entries(report.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}.`,
    '',
    ...cpuPerTaskLines(report.cpuPerTask),
    '## Figures',
    '',
    ...table(
      ['scenario', 'measure', 'p50', 'p99', 'p99.9', 'n', 'throughput', 'baseline (same run)', 'ratio'],
      [...report.rows]
        .sort((a, b) => (parseInt(a.scenario, 10) || 99) - (parseInt(b.scenario, 10) || 99))
        .map((r) => [
          r.scenario,
          r.what + (r.note ? ` (${r.note})` : ''),
          ms(r.latency?.p50),
          ms(r.latency?.p99),
          ms(r.latency?.p999),
          r.latency ? String(r.latency.n) : '–',
          r.throughput === undefined ? '–' : `${fmt(r.throughput, 1)} ${r.unit ?? '/s'}`,
          r.baseline ?? '–',
          r.ratio === undefined ? '–' : `${times(r.ratio)}${r.ratioOf ? ` (${r.ratioOf})` : ''}`,
        ]),
    ),
    '',
    '## Targets',
    '',
    ...table(
      ['target', 'wanted', 'measured', 'met'],
      report.targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === undefined ? 'not measured' : t.met ? 'yes' : '**no**',
      ]),
    ),
    '',
  ];
  for (const section of report.sections) lines.push(`## ${section.title}`, '', ...section.lines, '');
  if (report.skipped.length > 0) lines.push('## Skipped', '', ...report.skipped.map((s) => `- ${s}`), '');
  if (report.errors.length > 0) lines.push('## Errors', '', ...report.errors.map((s) => `- ${s}`), '');
  return `${lines.join('\n')}\n`;
}

export { table as markdownTable };

/** The run's report: one JSON document and its Markdown rendering (also printed). */
import { STACK_SERVERS } from './cost';
import { SERVICE_NAMES } from './services';
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

/**
 * What a phase's tasks cost in CPU: per completed task, each process's CPU milliseconds, and the
 * system's (the four services, Kafka, the registry, the store); beside it raw kafkajs moving as
 * many messages per task, measured in the same run.
 */
export interface CpuPerTask {
  readonly phase: string;
  readonly tasks: number;
  readonly tasksPerSecond: number;
  readonly wallSeconds: number;
  /** CPU milliseconds per task of the system's processes. */
  readonly system: number;
  /** The system's CPU over the phase, in cores (1 = one core busy all along). */
  readonly coresBusy: number;
  /** CPU milliseconds per task, per process (the bench process, the clients, too; not in `system`). */
  readonly msPerTask: Readonly<Record<string, number>>;
  /** Records the phase wrote to the task, retry and dead-letter topics, per completed task. */
  readonly messagesPerTask: number;
  readonly bytesPerMessage: number;
  readonly perTopic: Readonly<Record<string, number>>;
  /** Other clients' consumer groups live on the shared stack during the phase. */
  readonly others: readonly string[];
  readonly raw?: {
    /** CPU milliseconds of the bench process and Kafka for `messagesPerTask` messages. */
    readonly msPerTask: number;
    readonly messages: number;
    readonly rate: number;
    /** CPU milliseconds per message, per process, background taken off. */
    readonly msPerMessage: Readonly<Record<string, number>>;
    /** CPU seconds per second the bench process and Kafka used before the raw clients connected. */
    readonly background: Readonly<Record<string, number>>;
  };
  /** system ÷ raw.msPerTask. */
  readonly ratio?: number;
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

/** The system's processes, in the order the headline shows them. */
const SYSTEM = [...SERVICE_NAMES, ...STACK_SERVERS];

/** The headline: what one task costs in CPU, end to end (nothing when no such phase ran). */
function cpuPerTaskLines(phases: readonly CpuPerTask[]): string[] {
  if (phases.length === 0) return [];
  return [
    '## CPU per task',
    '',
    'CPU milliseconds per completed task over every process of the system (the four services, Kafka, the schema registry, the store), beside raw kafkajs (one producer and one consumer in the bench process, no registry, no store) moving as many messages per task at the phase’s message rate, measured in the same run (its CPU: the bench process and Kafka).',
    '',
    ...table(
      [
        'phase',
        'tasks',
        'tasks/s',
        'system ms/task',
        'cores busy',
        'messages/task',
        'raw kafkajs ms/task',
        'ratio',
      ],
      phases.map((p) => [
        p.phase,
        String(p.tasks),
        fmt(p.tasksPerSecond, 2),
        fmt(p.system, 1),
        fmt(p.coresBusy, 2),
        fmt(p.messagesPerTask, 1),
        fmt(p.raw?.msPerTask, 2),
        times(p.ratio),
      ]),
    ),
    '',
    'Split by process (CPU ms per task; the bench process runs the HTTP and SSE clients and is not part of the system):',
    '',
    ...table(
      ['phase', ...SYSTEM, 'bench'],
      phases.map((p) => [p.phase, ...[...SYSTEM, 'bench'].map((n) => fmt(p.msPerTask[n], 1))]),
    ),
    '',
    ...phases.flatMap((p) =>
      p.others.length === 0
        ? []
        : [
            `- ${p.phase}: other clients used the stack meanwhile (live consumer groups ${p.others.join(', ')}): Kafka's and the store's figures include their work.`,
          ],
    ),
    ...phases.flatMap((p) =>
      p.raw === undefined
        ? []
        : [
            `- ${p.phase}: ${fmt(p.messagesPerTask, 1)} messages per task, ${fmt(p.bytesPerMessage, 0)} bytes each on average (${Object.entries(
              p.perTopic,
            )
              .sort(([, a], [, b]) => b - a)
              .map(([topic, n]) => `${topic.replace(/^tributary\./, '')} ${fmt(n / p.tasks, 1)}`)
              .join(
                ', ',
              )}); raw kafkajs moved ${p.raw.messages} such messages at ${fmt(p.raw.rate, 0)}/s for ${Object.entries(
              p.raw.msPerMessage,
            )
              .map(([name, ms]) => `${name} ${fmt(ms, 3)}`)
              .join(
                ' + ',
              )} ms per message, less what each used before its clients connected (${Object.entries(
              p.raw.background,
            )
              .map(([name, s]) => `${name} ${fmt(s * 100, 1)} %`)
              .join(', ')} of a core).`,
          ],
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

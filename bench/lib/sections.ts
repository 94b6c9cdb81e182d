/** Report sections more than one scenario writes. */
import { type stageBreakdown, STAGES } from './e2e';
import { type MongoTrace } from './mongo-trace';
import { fmt, markdownTable, ms } from './report';
import { type ServiceName } from './services';

/** The per-stage table of a stage breakdown, and the API's own durations. */
export function breakdownLines(breakdown: Awaited<ReturnType<typeof stageBreakdown>>): string[] {
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
export function traceSection(
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

import { EXIT, type ExitCode, NotFoundError, UsageError } from '@tributary/terminal';
import { type Command } from 'commander';
import { type ActionRunner } from '../action';
import { type CommandContext } from '../context';
import { instant, list, positiveInt } from '../options';
import { table } from '../output';
import { diffOutcomes, type ReplayReport } from './diff';
import { readOutcomes } from './outcomes';

interface DiffOptions {
  baseline: string;
  candidate: string;
  task?: string[];
  since?: Date;
  k: number;
}

export function registerReplayCommands(program: Command, runner: ActionRunner): void {
  const replay = program
    .command('replay')
    .description(
      'replays of recorded tasks in a namespace of their own, and how they differ from the originals',
    );
  replay
    .command('diff')
    .description(
      'compare the outcomes of tasks in two namespaces (the originals on the live topics by default, and a replay): ' +
        'per task the status, recommendations (overlap@k, added, removed, rank changes), review verdicts and scores, ' +
        'rounds, best effort and latency; in aggregate the approval and best-effort rates and the calls the replay made',
    )
    .requiredOption('--candidate <ns>', 'the namespace of the replay')
    .option('--baseline <ns>', "the originals' namespace; default the live topics", '')
    .option('--task <ids...>', 'only these tasks', list)
    .option('--since <instant>', 'read records written from this ISO-8601 instant', instant)
    .option('--k <n>', 'the k of overlap@k', positiveInt, 5)
    .addHelpText(
      'after',
      '\nExample:\n  npx tributary replay diff --candidate replay-7 --since 2025-01-31T00:00:00Z --json\n' +
        'Exit code 0 when every compared task is identical, 5 when some differ.',
    )
    .action(runner.run(diff));
}

async function diff(ctx: CommandContext, options: DiffOptions): Promise<ExitCode> {
  if (options.baseline === options.candidate)
    throw new UsageError('--baseline and --candidate are the same namespace');
  const read = (namespace: string) =>
    readOutcomes({
      kafka: ctx.kafka,
      serializer: ctx.serializer,
      namespace,
      ...(options.task ? { tasks: new Set(options.task) } : {}),
      ...(options.since ? { fromTime: options.since } : {}),
      progress: ctx.progress(),
    });
  const candidate = await read(options.candidate);
  if (candidate.size === 0) throw new NotFoundError(`no tasks in namespace ${options.candidate}`);
  // Only the tasks the replay has are compared: the baseline read skips every other task unread.
  const baseline = await readOutcomes({
    kafka: ctx.kafka,
    serializer: ctx.serializer,
    namespace: options.baseline,
    tasks: new Set(options.task ?? candidate.keys()),
    ...(options.since ? { fromTime: options.since } : {}),
    progress: ctx.progress(),
  });
  const report = diffOutcomes(baseline, candidate, options.k);
  if (ctx.globals.json)
    ctx.printJson({ baseline: options.baseline, candidate: options.candidate, ...report });
  else ctx.print(render(report, options));
  return report.different > 0 ? EXIT.incomplete : EXIT.ok;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function render(report: ReplayReport, options: DiffOptions): string {
  const lines = [
    `${report.compared} task(s) compared (${options.baseline || 'live topics'} → ${options.candidate}): ` +
      `${report.identical} identical, ${report.different} different` +
      (report.missing.length > 0 ? `; ${report.missing.length} not in the replay` : ''),
    `approval rate ${percent(report.approvalRate.baseline)} → ${percent(report.approvalRate.candidate)}, ` +
      `best effort ${percent(report.bestEffortRate.baseline)} → ${percent(report.bestEffortRate.candidate)}` +
      (report.meanOverlapAtK === null
        ? ''
        : `, mean overlap@${options.k} ${report.meanOverlapAtK.toFixed(2)}`),
    `calls the replay's steps listed: ${report.candidateCalls.called} made, ${report.candidateCalls.journal} from the journal, ${report.candidateCalls.shared} shared`,
  ];
  const different = report.tasks.filter((t) => !t.identical);
  if (different.length > 0)
    lines.push(
      '',
      table(
        ['task', 'status', `overlap@${options.k}`, 'added', 'removed', 'verdicts', 'rounds'],
        different.map((t) => [
          t.taskId,
          t.status.baseline === t.status.candidate
            ? t.status.baseline
            : `${t.status.baseline} → ${t.status.candidate}`,
          t.overlapAtK === null ? '-' : t.overlapAtK.toFixed(2),
          t.added.join(' ') || '-',
          t.removed.join(' ') || '-',
          `${t.verdicts.baseline.join(',') || '-'} → ${t.verdicts.candidate.join(',') || '-'}`,
          `${t.rounds.baseline} → ${t.rounds.candidate}`,
        ]),
      ),
    );
  return lines.join('\n');
}

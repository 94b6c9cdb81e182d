import { EXIT, type ExitCode, NotFoundError, UsageError } from '@tributary/terminal';
import { type Command } from 'commander';
import { type ActionRunner } from '../action';
import { type CommandContext } from '../context';
import { instant, list, nonNegativeInt, positiveInt } from '../options';
import { diffOutcomes } from './diff';
import { resolveEvaluationSet } from './evaluation-set';
import { readOutcomes } from './outcomes';
import { renderReport, runReplay } from './run-replay';

interface DiffOptions {
  baseline: string;
  candidate: string;
  task?: string[];
  since?: Date;
  k: number;
  evalSet?: string | false;
}

/** `--eval-set <dir>` and `--no-eval-set`, on both commands that report a diff. */
function addEvalSetOptions(command: Command): Command {
  return command
    .option(
      '--eval-set <dir>',
      'judge the tasks whose request (same user, same query) is a case of this evaluation set: intent ' +
        'coverage of the originals and of the replay; default <data dir>/eval/cases when it exists',
    )
    .option('--no-eval-set', 'no intent coverage, even with the default evaluation set present');
}

export function registerReplayCommands(program: Command, runner: ActionRunner): void {
  const replay = program
    .command('replay')
    .description(
      'replays of recorded tasks in a namespace of their own, and how they differ from the originals',
    );
  const run = replay
    .command('run')
    .description(
      'run recorded tasks again through the current agents, in a namespace of their own (its topics, consumer ' +
        'groups, retry and dead-letter topics and store collections; never the live read model, webhooks, the public ' +
        "topic's live name or tenants' limits), answering every LLM and tool call from the recording's call journal, " +
        'then compare their outcomes with the originals (as `replay diff` does)',
    )
    .option('--namespace <ns>', 'the namespace to run in; default replay-<UTC timestamp>')
    .option('--source <ns>', 'where the recorded tasks are; default the live topics', '')
    .option('--task <ids...>', 'only these tasks', list)
    .option('--tenant <ids...>', "only these tenants' tasks", list)
    .option('--user <ids...>', "only these users' tasks", list)
    .option('--status <statuses...>', 'only tasks that ended so: completed, failed, cancelled, open', list)
    .option('--since <instant>', 'only tasks requested from this ISO-8601 instant', instant)
    .option('--until <instant>', 'only tasks requested before this ISO-8601 instant', instant)
    .option(
      '--set <agent.setting=value...>',
      "change an agent's configuration: reviewer.approveThreshold, reviewer.maxRounds, <agent>.llm.model, " +
        '<agent>.llm.baseUrl, <agent>.llm.timeoutMs, research.embeddings.rrfK, research.embeddings.queryModel',
      list,
    )
    .option('--live-llm', 'let calls the journal cannot answer reach the model (needs --llm-budget)', false)
    .option(
      '--llm-budget <n>',
      'the most requests to the model the whole replay may make (retries and repair rounds count)',
      nonNegativeInt,
    )
    .option('--timeout <seconds>', 'how long to wait for the replayed tasks to end', positiveInt, 600)
    .option('--k <n>', 'the k of overlap@k', positiveInt, 5);
  addEvalSetOptions(run)
    .option('--out <file>', 'also write the report, as JSON, to this file')
    .option('--logs <dir>', "where the agents' logs go; default a directory under the system's temp dir")
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npx tributary replay run --since 2025-01-31T00:00:00Z --until 2025-02-01T00:00:00Z --tenant acme\n' +
        '  npx tributary replay run --task tsk_1,tsk_2 --set reviewer.approveThreshold=0.9 --json\n' +
        '  npx tributary replay run --status completed --set reviewer.maxRounds=1 --live-llm --llm-budget 20\n' +
        'The agents get the TRIBUTARY_* variables of this command (the same LLM settings as the recording,\n' +
        'so that its journal answers), plus the namespace and the --set values.\n' +
        'Exit code 0 when every task is identical, 5 when some differ, 6 when some did not end in time.',
    )
    .action(runner.run(runReplay));
  const diffCommand = replay
    .command('diff')
    .description(
      'compare the outcomes of tasks in two namespaces (the originals on the live topics by default, and a replay): ' +
        'per task the status, recommendations (overlap@k, added, removed, rank changes), review verdicts and scores, ' +
        'rounds, best effort and latency; in aggregate the approval and best-effort rates, the calls the replay made ' +
        'and, for tasks that are cases of the evaluation set, intent coverage on both sides',
    )
    .requiredOption('--candidate <ns>', 'the namespace of the replay')
    .option('--baseline <ns>', "the originals' namespace; default the live topics", '')
    .option('--task <ids...>', 'only these tasks', list)
    .option('--since <instant>', 'read records written from this ISO-8601 instant', instant)
    .option('--k <n>', 'the k of overlap@k', positiveInt, 5);
  addEvalSetOptions(diffCommand)
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
  const evaluation = await resolveEvaluationSet(ctx, options.evalSet);
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
  const report = diffOutcomes(baseline, candidate, options.k, evaluation);
  if (ctx.globals.json)
    ctx.printJson({ baseline: options.baseline, candidate: options.candidate, ...report });
  else ctx.print(renderReport(report, options.baseline || 'live topics', options.candidate, options.k));
  return report.different > 0 ? EXIT.incomplete : EXIT.ok;
}

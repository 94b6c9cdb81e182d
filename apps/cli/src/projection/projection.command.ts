import { spawn } from 'node:child_process';
import { type Command } from 'commander';
import { EXIT, type ExitCode } from '@tributary/terminal';
import { type CommandContext } from '../context';
import { instant, positiveInt } from '../options';
import { type ActionRunner } from '../action';

interface RebuildOptions {
  into: string;
  replace: boolean;
  batch: number;
  since?: Date;
}

export function registerProjectionCommands(program: Command, runner: ActionRunner): void {
  const projection = program
    .command('projection')
    .description("the gateway's read model (MongoDB projection)");
  projection
    .command('rebuild')
    .description(
      'rebuild the read model from the topics into fresh collections (tasks_<suffix>, task_events_<suffix>, ' +
        'task_lists_<suffix>); the live collections are not touched. Prints counts per topic and per final status.',
    )
    .requiredOption('--into <suffix>', 'suffix of the fresh collections (letters, digits, underscores)')
    .option('--replace', 'drop the fresh collections first if they hold anything', false)
    .option('--batch <n>', 'documents per insert', positiveInt, 1_000)
    .option(
      '--since <instant>',
      'read only records written at or after this ISO-8601 instant (a partial read model)',
      instant,
    )
    .addHelpText(
      'after',
      "\nRuns the gateway's own rebuild command (the read model belongs to the gateway).\n" +
        'Example:\n  npx tributary projection rebuild --into 20250131 --replace',
    )
    .action(runner.run(rebuild));
}

/** Runs the gateway's rebuild as a child process with the same terminal; its exit code is ours. */
async function rebuild(ctx: CommandContext, options: RebuildOptions): Promise<ExitCode> {
  const args = [
    ...ctx.host.toolCommand('rebuild-projection'),
    '--into',
    options.into,
    '--batch',
    String(options.batch),
    ...(options.replace ? ['--replace'] : []),
    ...(options.since ? ['--since', options.since.toISOString()] : []),
    ...(ctx.globals.json ? ['--json'] : []),
    ...(!ctx.globals.progress || ctx.globals.json ? ['--no-progress'] : []),
  ];
  // The child shares the terminal, so Ctrl-C reaches it too: it stops on its own and we report its code.
  const child = spawn(process.execPath, args, { stdio: ['inherit', 'inherit', 'inherit'] });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
    },
  );
  if (signal !== null) return EXIT.interrupted;
  return (code ?? EXIT.failure) as ExitCode;
}

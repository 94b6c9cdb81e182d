import { Command, CommanderError } from 'commander';
import { EXIT, type ExitCode } from '@tributary/terminal';
import { actionRunner } from './action';
import { registerDlqCommands } from './dlq/dlq.command';
import { registerEventsCommands } from './export/export.command';
import { type CliHost } from './host';
import { registerProjectionCommands } from './projection/projection.command';
import { registerReplayCommands } from './replay/replay.command';
import { registerTaskCommands } from './trace/trace.command';

const EXIT_CODES_HELP = `
Exit codes:
  0    done, everything read was understood
  1    unexpected failure
  2    wrong command line or configuration (a TRIBUTARY_* variable)
  3    Kafka, the schema registry or the store cannot be reached: try again later
  4    not found (a task with no events, a dead letter that is not there)
  5    done, but some records could not be decoded (the summary says which and why), or replayed tasks differ
  6    a replay: some replayed tasks did not end before the timeout
  130  interrupted (Ctrl-C)

Connection settings come from the same TRIBUTARY_* variables as the services (see README.md).`;

/**
 * The `tributary` command line: one program, a command per job, `--help` on each, `--json` for
 * scripts. Returns the program and where the exit code of the command that ran ends up.
 */
export function buildProgram(
  host: CliHost,
  signal: AbortSignal,
): { program: Command; outcome: { code: ExitCode } } {
  const outcome: { code: ExitCode } = { code: EXIT.ok };
  const program = new Command('tributary')
    .description(
      "Tributary's command line for analysts and operators: export, trace and repair over the topics.",
    )
    .option('--json', 'print JSON on stdout for scripts (and no progress bars)', false)
    .option('--no-progress', 'draw no progress bars (they are drawn only on a terminal anyway)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => host.stdout.write(text),
      writeErr: (text) => host.stderr.write(text),
    })
    .addHelpText('after', EXIT_CODES_HELP);

  const runner = actionRunner(host, signal, outcome);

  registerEventsCommands(program, runner);
  registerTaskCommands(program, runner);
  registerReplayCommands(program, runner);
  registerProjectionCommands(program, runner);
  registerDlqCommands(program, runner);
  return { program, outcome };
}

/** Parses `argv` (as process.argv: node, script, arguments…) and runs the command; resolves with the exit code. */
export async function runProgram(
  host: CliHost,
  argv: readonly string[],
  signal: AbortSignal,
): Promise<ExitCode> {
  const { program, outcome } = buildProgram(host, signal);
  try {
    await program.parseAsync([...argv]);
    return outcome.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
}

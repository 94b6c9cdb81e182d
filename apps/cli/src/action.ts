import { type Command } from 'commander';
import { EXIT, type ExitCode, exitCodeFor } from '@tributary/terminal';
import { CommandContext, type GlobalOptions } from './context';
import { type CliHost } from './host';

/** A command's work: what it does with its context and options, and the code to exit with. */
export type CommandAction<O> = (
  ctx: CommandContext,
  options: O,
  args: readonly string[],
) => Promise<ExitCode>;

/** Runs a command's action with a context, turning its outcome or error into an exit code. */
export interface ActionRunner {
  run<O>(action: CommandAction<O>): (...commanderArgs: unknown[]) => Promise<void>;
}

/** The runner every command registers its action with; the exit code lands in `outcome`. */
export function actionRunner(host: CliHost, signal: AbortSignal, outcome: { code: ExitCode }): ActionRunner {
  return {
    run:
      <O>(action: CommandAction<O>) =>
      async (...commanderArgs: unknown[]) => {
        const command = commanderArgs.at(-1) as Command;
        const options = commanderArgs.at(-2) as O;
        const args = commanderArgs.slice(0, -2) as string[];
        const globals = command.optsWithGlobals<GlobalOptions & O>();
        const path = commandPath(command);
        const ctx = new CommandContext(
          host,
          { json: globals.json, progress: globals.progress },
          signal,
          path,
        );
        try {
          outcome.code = await action(ctx, options, args);
        } catch (error) {
          // The reader of stdout went away (`… | head`): stop quietly, as Unix tools do.
          if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
            outcome.code = EXIT.ok;
            return;
          }
          outcome.code = signal.aborted ? EXIT.interrupted : exitCodeFor(error);
          const message = error instanceof Error ? error.message : String(error);
          host.stderr.write(`tributary ${path}: ${message}\n`);
          if (outcome.code === EXIT.failure && error instanceof Error && error.stack)
            host.stderr.write(`${error.stack}\n`);
        }
      },
  };
}

/** `dlq show` for the command `show` under `dlq`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null && at.parent !== null; at = at.parent)
    names.unshift(at.name());
  return names.join(' ');
}

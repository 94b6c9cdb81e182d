/**
 * `tributary`: the analysts' and operators' command line (package.json "bin"; see docs/analysts.md).
 *
 * In a checkout, `npx tributary …` runs scripts/tributary.mjs, which bundles this entry from source
 * (no build step) and calls `run`. Built (`npm run build`), it is dist/tools/tributary.cjs, run with
 * `node dist/tools/tributary.cjs …`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, type ExitCode } from '@tributary/terminal';
import { type CliHost, type ShippedTool } from './host';
import { runProgram } from './program';

export type { CliHost, ShippedTool } from './host';

/**
 * Runs the command line in this process and resolves with its exit code. SIGINT and SIGTERM abort
 * the command (it closes what it opened and exits 130); a second one exits at once.
 */
export async function run(argv: readonly string[], host: CliHost): Promise<ExitCode> {
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe surfaces as the failed write; without a listener it would also crash the process.
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  };
  host.stdout.on('error', onStdoutError);
  try {
    const code = await runProgram(host, argv, interrupt.signal);
    return interrupt.signal.aborted && code === EXIT.ok ? EXIT.interrupted : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    host.stdout.off('error', onStdoutError);
  }
}

/** Exits once stdout has taken everything written to it (a pipe is written asynchronously). */
export function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

/** The host of a built bundle: the operator commands are its siblings in dist/tools/. */
function builtHost(directory: string): CliHost {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    toolCommand: (name: ShippedTool) => {
      // The services are built beside the tools: dist/<service>/main.cjs.
      const file = name.endsWith('-agent')
        ? join(directory, '..', name, 'main.cjs')
        : join(directory, `${name}.cjs`);
      if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
      return ['--enable-source-maps', file];
    },
  };
}

if (require.main === module) {
  run(process.argv, builtHost(__dirname)).then(exitAfterFlush, (error: unknown) => {
    process.stderr.write(
      `tributary: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    exitAfterFlush(EXIT.failure);
  });
}

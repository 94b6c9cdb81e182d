import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A function: this module is also bundled into child processes, where import.meta is empty. */
function root(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the `tributary` command as a user does (`npx tributary …` runs the same scripts/tributary.mjs:
 * the package's bin), with the test's environment plus `env`, and collects its output.
 */
export async function runTributary(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { readonly timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [join(root(), 'scripts', 'tributary.mjs'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
      },
    );
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** The JSON document a `--json` run printed on stdout (its last line). */
export function jsonOutput<T = Record<string, unknown>>(run: CliRun): T {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`no JSON on stdout (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { waitFor } from './wait';

/** The repository root (a function: this module is also bundled into child processes, where import.meta is empty). */
function root(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

/** Bundles a TypeScript entry (path aliases from tsconfig.json, packages external) into a temp dir. */
export async function bundleEntry(entry: string): Promise<string> {
  const ROOT = root();
  const outfile = join(mkdtempSync(join(tmpdir(), 'tributary-spawn-')), 'entry.cjs');
  await build({
    entryPoints: [resolve(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    keepNames: true,
    sourcemap: 'inline',
    logLevel: 'warning',
    // This module is part of such bundles; it only reads import.meta in the parent (see root()).
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return outfile;
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in its output. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a bundled file with node; packages resolve from the repository's node_modules. */
export function spawnBundle(
  file: string,
  env: Record<string, string> = {},
  args: string[] = [],
): SpawnedProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', file, ...args], {
    env: { ...process.env, ...env, NODE_PATH: join(root(), 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const gone = new AbortController();
  void exited.then(({ code, signal }) =>
    gone.abort(
      new Error(`process exited (${signal ?? code}) before the awaited output; it printed:\n${output}`),
    ),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      const found = output.match(pattern);
      if (found) return found;
      return waitFor(() => output.match(pattern), {
        timeoutMs,
        description: `output matching ${pattern}`,
        signal: gone.signal,
      });
    },
  };
}

/** Bundles and runs a TypeScript entry. */
export async function spawnTs(
  entry: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<SpawnedProcess> {
  return spawnBundle(await bundleEntry(entry), env, args);
}

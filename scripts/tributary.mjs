#!/usr/bin/env node
// The `tributary` command (package.json "bin", so `npx tributary …` works in a checkout): bundles
// apps/cli from source with esbuild when a source file changed (no build step; Node 20, 22 and 24
// alike), then runs it in this process. Where there are no sources or no esbuild (an image built
// with `npm run build`), it runs dist/tools/tributary.cjs instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'apps/cli/src/main.ts';
const require = createRequire(import.meta.url);

async function load() {
  if (existsSync(join(ROOT, ENTRY))) {
    try {
      const { bundleIfChanged, scratchBundlePath } = await import('./bundle.mjs');
      const { TOOLS } = await import('./build.mjs');
      const file = await bundleIfChanged(ENTRY, scratchBundlePath(ENTRY));
      return {
        cli: require(file),
        // Operator commands of other apps, and the agents a replay starts, run from source too, through run-ts.
        toolCommand: (name) => [
          join(ROOT, 'scripts', 'run-ts.mjs'),
          TOOLS[name] ?? `apps/${name}/src/main.ts`,
        ],
      };
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  const built = join(ROOT, 'dist', 'tools', 'tributary.cjs');
  if (!existsSync(built)) {
    console.error(
      'tributary: neither the sources with esbuild nor dist/tools/tributary.cjs (npm run build) are here',
    );
    process.exit(1);
  }
  return {
    cli: require(built),
    toolCommand: (name) => [
      '--enable-source-maps',
      name.endsWith('-agent')
        ? join(ROOT, 'dist', name, 'main.cjs')
        : join(ROOT, 'dist', 'tools', `${name}.cjs`),
    ],
  };
}

/**
 * The commands stream (an export of millions of events holds a buffer and a row group, not the
 * range), so they run with a small heap: V8 then collects garbage before it grows the heap, and a
 * 200,000-event export stays well under 200 MB of resident memory (without these flags it lets the
 * heap grow past 300 MB of mostly garbage). Our own flags, or NODE_OPTIONS, win over these.
 */
const HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=2'];
const heapSet = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) =>
  flag.startsWith('--max-old-space-size'),
);
if (!heapSet) {
  const child = spawn(
    process.execPath,
    [...HEAP_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to us is passed on.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
} else {
  await main();
}

async function main() {
  process.setSourceMapsEnabled?.(true);
  const { cli, toolCommand } = await load();
  const code = await cli.run(process.argv, { stdout: process.stdout, stderr: process.stderr, toolCommand });
  cli.exitAfterFlush(code);
}

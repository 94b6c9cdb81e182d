#!/usr/bin/env node
// The `tributary` command (package.json "bin", so `npx tributary …` works in a checkout): bundles
// apps/cli from source with esbuild when a source file changed (no build step; Node 20, 22 and 24
// alike), then runs it in this process. Where there are no sources or no esbuild (an image built
// with `npm run build`), it runs dist/tools/tributary.cjs instead.
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
        // Operator commands of other apps run from source too, through run-ts.
        toolCommand: (name) => [join(ROOT, 'scripts', 'run-ts.mjs'), TOOLS[name]],
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
    toolCommand: (name) => ['--enable-source-maps', join(ROOT, 'dist', 'tools', `${name}.cjs`)],
  };
}

process.setSourceMapsEnabled?.(true);
const { cli, toolCommand } = await load();
const code = await cli.run(process.argv, { stdout: process.stdout, stderr: process.stderr, toolCommand });
cli.exitAfterFlush(code);

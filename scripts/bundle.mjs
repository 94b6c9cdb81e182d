// Bundles a TypeScript entry point into one CommonJS file with esbuild: path aliases come from
// tsconfig.json, packages stay external. Used by the build, by `run-ts` and by tests that spawn processes.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle(entry, outfile) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [resolve(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
    keepNames: true,
  });
  return outfile;
}

/** A cached bundle path for an entry, outside the source tree. */
export function scratchBundlePath(entry) {
  const id = createHash('sha1').update(resolve(ROOT, entry)).digest('hex').slice(0, 10);
  const name = relative(ROOT, resolve(ROOT, entry))
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/-ts$/, '');
  return join(ROOT, 'node_modules', '.cache', 'tributary', `${name}-${id}.cjs`);
}

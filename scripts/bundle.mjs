// Bundles a TypeScript entry point into one CommonJS file with esbuild: path aliases come from
// tsconfig.json, packages stay external. Used by the build, by `run-ts` and by tests that spawn processes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle(entry, outfile) {
  mkdirSync(dirname(outfile), { recursive: true });
  return build({
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
    metafile: true,
  }).then((result) => {
    // The source files the bundle was made from, for bundleIfChanged.
    writeFileSync(`${outfile}.inputs.json`, JSON.stringify(Object.keys(result.metafile.inputs)));
    return outfile;
  });
}

/**
 * `bundle`, unless the bundle is newer than every source file it was made from: a command run again
 * without changes starts without bundling.
 */
export async function bundleIfChanged(entry, outfile) {
  try {
    const built = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${outfile}.inputs.json`, 'utf8'));
    if (
      inputs.every(
        (input) => existsSync(resolve(ROOT, input)) && statSync(resolve(ROOT, input)).mtimeMs < built,
      )
    )
      return outfile;
  } catch {
    // No bundle yet, or no list of its inputs: build it.
  }
  return bundle(entry, outfile);
}

/** A cached bundle path for an entry, outside the source tree. */
export function scratchBundlePath(entry) {
  const id = createHash('sha1').update(resolve(ROOT, entry)).digest('hex').slice(0, 10);
  const name = relative(ROOT, resolve(ROOT, entry))
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/-ts$/, '');
  return join(ROOT, 'node_modules', '.cache', 'tributary', `${name}-${id}.cjs`);
}

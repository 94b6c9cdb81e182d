/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `bench/run.ts --profile`): where the
 * process spent its samples, by function (self time) and by package or source folder.
 *
 *   node scripts/run-ts.mjs bench/profile-summary.ts <file.cpuprofile | folder> [--top 25]
 *
 * Self time is attributed to the function on top of the stack; "(idle)" is the event loop waiting,
 * "(garbage collector)" is GC. Bundled sources (dist/*.cjs) are mapped back to their folders through
 * the `// <path>` comments esbuild leaves in the bundle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** For a bundle, the source file each line came from, read off esbuild's `// path` markers. */
const bundleSources = new Map<string, (line: number) => string>();

function sourceOf(url: string, line: number): string {
  if (!url.endsWith('.cjs')) return url;
  let lookup = bundleSources.get(url);
  if (!lookup) {
    const marks: { line: number; path: string }[] = [];
    try {
      const text = readFileSync(url.replace(/^file:\/\//, ''), 'utf8').split('\n');
      text.forEach((l, i) => {
        const m = /^\/\/ ((?:apps|libs|test|bench|node_modules)\/\S+)$/.exec(l);
        if (m) marks.push({ line: i, path: m[1] as string });
      });
    } catch {
      // not readable: keep the bundle's name
    }
    lookup = (at: number) => {
      let found = url;
      for (const mark of marks) {
        if (mark.line > at) break;
        found = mark.path;
      }
      return found;
    };
    bundleSources.set(url, lookup);
  }
  return lookup(line);
}

function area(url: string, line: number): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node: built-ins';
  const source = sourceOf(url, line);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return pkg[1] as string;
  const own = /((?:apps|libs)\/[^/]+\/src\/[^/]+)/.exec(source);
  if (own) return own[1] as string;
  return source.replace(/^file:\/\//, '');
}

function summarize(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = (profile.endTime - profile.startTime) / 1000;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const special = functionName.startsWith('(') ? functionName : undefined;
    const where =
      special ??
      `${functionName || '(anonymous)'}  ${sourceOf(url, lineNumber).replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + us / 1000);
    const key = special ?? area(url, lineNumber);
    byArea.set(key, (byArea.get(key) ?? 0) + us / 1000);
  }
  const busy = [...byArea].filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
  const line = (label: string, msValue: number) =>
    `  ${msValue.toFixed(0).padStart(8)} ms ${((msValue / total) * 100).toFixed(1).padStart(5)} %  ${label}`;
  console.log(
    `\n${basename(file)}: ${(total / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)} %)`,
  );
  console.log(' by area (self time):');
  for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(k, v));
  console.log(' by function (self time):');
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(k, v));
}

function main(): void {
  const args = process.argv.slice(2);
  let top = 25;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--top') top = Number(args[++i]);
    else paths.push(args[i] as string);
  }
  if (paths.length === 0) {
    console.error('usage: profile-summary <file.cpuprofile | folder> [--top N]');
    process.exit(2);
  }
  for (const path of paths) {
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(path, f))
      : [path];
    for (const file of files) summarize(file, top);
  }
}

main();

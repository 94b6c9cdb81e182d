/**
 * The repository's own plain-Node scripts (stack, build, bundle), loaded at run time with a real
 * dynamic import: they read import.meta, which a CommonJS bundle of the bench would not give them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root: the nearest folder above the bench bundle (or the working directory) with scripts/stack.mjs. */
export function findRoot(): string {
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'scripts', 'stack.mjs')) && existsSync(join(dir, 'bench'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the repository root (a folder with scripts/stack.mjs and bench/)');
}

/** Which code a checkout holds: the commit, and whether apps/ or libs/ had uncommitted changes. */
export function describeTree(root: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? commit : `${commit} with uncommitted changes in apps/ or libs/`;
  } catch {
    return existsSync(join(root, '.commit'))
      ? `${readFileSync(join(root, '.commit'), 'utf8').trim().slice(0, 7)} (export)`
      : 'unknown';
  }
}

export interface StackConfig {
  kafka: { bootstrapServers: string; port: number };
  registry: { url: string };
  ferretdb: { url: string };
}

export interface StackModule {
  up(options?: { log?: (line: string) => void; quiet?: boolean }): Promise<StackConfig>;
  stackConfig(): StackConfig;
  isRunning(name: string): boolean;
  stopProcess(name: string): Promise<{ result: string }>;
  readPidFile(name: string): { pid: number } | null;
  /** Starts the trace backend (Jaeger) unless it runs; its OTLP endpoint and query API. */
  jaegerUp(options?: { quiet?: boolean }): Promise<{ otlpEndpoint: string; uiUrl: string }>;
}

export interface BuildModule {
  APPS: string[];
  buildApps(): Promise<number>;
}

export interface BundleModule {
  bundle(entry: string, outfile: string): Promise<string>;
  scratchBundlePath(entry: string): string;
}

async function load<T>(root: string, file: string): Promise<T> {
  return (await import(pathToFileURL(join(root, 'scripts', file)).href)) as T;
}

export const loadStack = (root: string) => load<StackModule>(root, 'stack.mjs');
export const loadBuild = (root: string) => load<BuildModule>(root, 'build.mjs');
export const loadBundler = (root: string) => load<BundleModule>(root, 'bundle.mjs');

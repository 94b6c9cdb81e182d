// What every part of the local stack shares: the repository paths, the bind address, the expected
// error type, and small file helpers.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The stack's checked-in inputs: the Maven poms, Kafka's log4j2 configuration, the FerretDB wrapper. */
export const STACK_SRC = path.join(REPO_ROOT, 'stack');

/** Every server binds here only. */
export const HOST = '127.0.0.1';

/**
 * An expected failure (the CLI prints it without a stack trace). `summary` is the one-line cause;
 * `details` are extra lines such as the tail of a log; `message` holds both, so callers that only
 * print `error.message` show everything.
 */
export class StackError extends Error {
  constructor(summary, details = [], { plain = false } = {}) {
    super(details.length > 0 ? [summary, ...details.map((line) => `  ${line}`)].join('\n') : summary);
    this.name = 'StackError';
    this.summary = summary;
    this.details = details;
    /** Pre-flight problems: printed as they are, one per line, without the "stack:" prefix. */
    this.plain = plain;
  }
}

/** Parses a TCP port from an environment variable; `fallback` when unset or blank. */
export function parsePort(value, name, fallback) {
  if (value === undefined || value === null || String(value).trim() === '') return fallback;
  const text = String(value).trim();
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`${name} must be a TCP port between 1 and 65535, got "${value}"`);
  }
  return port;
}

/**
 * How long a server may take to become ready: TRIBUTARY_STACK_READY_TIMEOUT seconds when set,
 * else `fallbackMs`. Two JVMs starting beside other work on a busy two-core machine can need
 * minutes, so the defaults are generous; a process that dies fails at once regardless.
 */
export function readyTimeoutMs(env, fallbackMs) {
  const value = env.TRIBUTARY_STACK_READY_TIMEOUT;
  if (value === undefined || value === null || String(value).trim() === '') return fallbackMs;
  const text = String(value).trim();
  const s = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(s) || s < 1) {
    throw new StackError(`TRIBUTARY_STACK_READY_TIMEOUT must be a whole number of seconds, got "${value}"`);
  }
  return s * 1000;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export function mkdirs(...dirs) {
  for (const dir of dirs) fs.mkdirSync(dir, { recursive: true });
}

/** A file's text, or null if it cannot be read. */
export function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** One hash over the names and contents of `files`: the stamp that says a cache entry is current. */
export function sha256Files(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.basename(file) + '\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The last `count` lines of a text file, ignoring bytes before `fromOffset` ([] if it does not exist). */
export function tailLines(file, count = 100, fromOffset = 0) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.max(0, Math.min(size - fromOffset, Math.max(64 * 1024, count * 400)));
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (length < size - fromOffset) lines.shift(); // probably a partial line
    return lines.slice(-count);
  } finally {
    fs.closeSync(fd);
  }
}

/** stdout+stderr of a short command (`java -version` prints to stderr), or null if it cannot run. */
export function commandOutput(command, args) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  if (r.error) return null;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

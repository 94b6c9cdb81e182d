// Detached processes tracked by pid files. Each pid file records a fingerprint of its process (boot id
// and start time), so a recycled pid is never mistaken for ours and never signalled. The same machinery
// runs the servers and, through scripts/start.mjs, the app services.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  StackError,
  commandOutput,
  mkdirs,
  readText,
  seconds,
  sleep,
  tailLines,
  writeAtomic,
} from './common.mjs';
import { stackConfig } from './config.mjs';

export const STOP_TIMEOUT_MS = 20_000;
const LOCK_WAIT_MS = 10 * 60_000;

let cachedBootId;
function bootId() {
  if (cachedBootId === undefined) {
    cachedBootId = (readText('/proc/sys/kernel/random/boot_id') ?? '').trim();
  }
  return cachedBootId;
}

/**
 * A string that identifies one incarnation of a process (so a recycled pid does not match), or null if
 * there is no such live process. Linux: boot id + start time from /proc/<pid>/stat; elsewhere `ps -o lstart`.
 */
export function processFingerprint(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    const stat = readText(`/proc/${pid}/stat`);
    if (!stat) return null;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X' || state === 'x') return null;
    return `linux:${bootId()}:${fields[19]}`;
  }
  const out = commandOutput('ps', ['-o', 'lstart=', '-p', String(pid)]);
  const start = out ? out.trim() : '';
  return start ? `ps:${start}` : null;
}

function pidFile(cfg, name) {
  return path.join(cfg.pidsDir, `${name}.pid`);
}

function assertName(name) {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new StackError(`invalid process name "${name}" (letters, digits, ".", "_" and "-" only)`);
  }
}

/** The pid file record of `name` (line 1: pid, line 2: JSON with the fingerprint), or null. */
export function readPidFile(name, cfg = stackConfig()) {
  const text = readText(pidFile(cfg, name));
  if (text === null) return null;
  const [first, ...rest] = text.split('\n');
  const pid = Number(first.trim());
  let meta = {};
  try {
    meta = JSON.parse(rest.join('\n') || '{}');
  } catch {
    meta = {};
  }
  return { ...meta, name, pid: Number.isInteger(pid) ? pid : -1 };
}

/** Names with a pid file in <run>/pids. */
export function listPidFiles(cfg = stackConfig()) {
  try {
    return fs
      .readdirSync(cfg.pidsDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

export function removePidFile(cfg, name) {
  fs.rmSync(pidFile(cfg, name), { force: true });
}

/** Our process for `name`: the record if its pid is alive AND has the recorded fingerprint, else null. */
export function liveRecord(cfg, name) {
  const record = readPidFile(name, cfg);
  if (!record || record.pid <= 0 || !record.fingerprint) return null;
  return processFingerprint(record.pid) === record.fingerprint ? record : null;
}

/** Whether the process started under `name` (by the stack or startProcess) is still running. */
export function isRunning(name, cfg = stackConfig()) {
  assertName(name);
  return liveRecord(cfg, name) !== null;
}

/**
 * Starts a detached process whose stdout/stderr go to <run>/logs/<name>.log (or `logFile`), and writes
 * <run>/pids/<name>.pid with its pid and fingerprint. `env` is added to process.env. `meta` is stored in
 * the pid file (e.g. { port }). Throws StackError if `name` is already running.
 */
export async function startProcess(
  { name, command, args = [], env, cwd, logFile, meta = {} },
  cfg = stackConfig(),
) {
  assertName(name);
  const running = liveRecord(cfg, name);
  if (running) throw new StackError(`${name} is already running (pid ${running.pid})`);
  mkdirs(cfg.pidsDir, cfg.logsDir);
  const log = logFile ?? path.join(cfg.logsDir, `${name}.log`);
  mkdirs(path.dirname(log));
  const fd = fs.openSync(log, 'a');
  try {
    const logOffset = fs.fstatSync(fd).size;
    fs.writeSync(fd, `\n==== ${new Date().toISOString()} starting ${name}: ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: cwd ?? REPO_ROOT,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new StackError(
            err.code === 'ENOENT' ? `${name}: command not found: ${command}` : `${name}: ${err.message}`,
          ),
        ),
      );
    });
    child.unref();
    const fingerprint = processFingerprint(child.pid);
    if (!fingerprint) {
      await sleep(100); // let it finish writing its error
      throw new StackError(
        `${name}: the process exited immediately; last lines of ${log}:`,
        tailLines(log, 25, logOffset),
      );
    }
    const record = {
      pid: child.pid,
      fingerprint,
      command,
      args,
      cwd: cwd ?? REPO_ROOT,
      logFile: log,
      startedAt: new Date().toISOString(),
      ...meta,
    };
    writeAtomic(pidFile(cfg, name), `${child.pid}\n${JSON.stringify(record)}\n`);
    return { name, pid: child.pid, fingerprint, logFile: log, logOffset };
  } finally {
    fs.closeSync(fd);
  }
}

function signal(pid, sig) {
  // Detached children lead their own process group: signal the group so their children stop too.
  try {
    process.kill(-pid, sig);
    return;
  } catch {
    /* not a group leader, or already gone */
  }
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Stops `name`: SIGTERM, up to `timeoutMs` (20 s) for it to exit, then SIGKILL; removes the pid file.
 * Never signals a pid whose fingerprint does not match the pid file. Resolves with
 * { result: 'stopped' | 'killed' | 'stale' | 'not-running', pid?, ms }.
 */
export async function stopProcess(name, { timeoutMs = STOP_TIMEOUT_MS } = {}, cfg = stackConfig()) {
  assertName(name);
  const started = Date.now();
  const record = readPidFile(name, cfg);
  if (!record) return { result: 'not-running', ms: 0 };
  const ours = () => record.fingerprint && processFingerprint(record.pid) === record.fingerprint;
  if (!ours()) {
    removePidFile(cfg, name);
    return { result: 'stale', pid: record.pid, ms: 0 };
  }
  signal(record.pid, 'SIGTERM');
  while (Date.now() - started < timeoutMs) {
    if (!ours()) {
      removePidFile(cfg, name);
      return { result: 'stopped', pid: record.pid, ms: Date.now() - started };
    }
    await sleep(150);
  }
  if (ours()) signal(record.pid, 'SIGKILL');
  const killStarted = Date.now();
  while (ours() && Date.now() - killStarted < 5_000) await sleep(100);
  if (ours()) throw new StackError(`${name} (pid ${record.pid}) did not exit even after SIGKILL`);
  removePidFile(cfg, name);
  return { result: 'killed', pid: record.pid, ms: Date.now() - started };
}

/**
 * Takes <run>/stack.lock so that two `up`/`down` runs (two terminals, parallel test setups) do not race;
 * resolves with the function that releases it. A lock whose holder is gone is taken over.
 */
export async function acquireLock(cfg, log) {
  mkdirs(cfg.runDir);
  const file = path.join(cfg.runDir, 'stack.lock');
  const started = Date.now();
  let announced = false;
  for (;;) {
    // Create the lock with its content in one step (hard link of a complete temp file), so another
    // process never reads a half-written lock and mistakes it for a stale one.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${process.pid}\n${processFingerprint(process.pid) ?? ''}\n`);
    try {
      fs.linkSync(tmp, file);
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const [pidText = '', fingerprint = ''] = (readText(file) ?? '').split('\n');
    const holder = Number(pidText);
    const alive =
      Number.isInteger(holder) && holder > 0 && fingerprint && processFingerprint(holder) === fingerprint;
    if (!alive) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!announced) {
      log(`stack: waiting for another stack command (pid ${holder}) to finish…`);
      announced = true;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new StackError(`another stack command (pid ${holder}) has held ${file} for too long`);
    }
    await sleep(500);
  }
}

/**
 * Polls `ready()` every `pollMs` until it answers true (resolves with the ms it took); throws
 * StackError with the log's last lines when the process (pid + fingerprint) exits first, or after
 * `timeoutMs`. `ready` may throw StackError itself (e.g. another process answers on the port).
 */
export async function waitUntilReady({
  name,
  ready,
  pid,
  fingerprint,
  logFile,
  logOffset = 0,
  timeoutMs,
  pollMs = 250,
}) {
  const started = Date.now();
  for (;;) {
    if (await ready()) return Date.now() - started;
    if (processFingerprint(pid) !== fingerprint) {
      throw new StackError(
        `${name}: the process exited during startup; last lines of ${logFile}:`,
        tailLines(logFile, 25, logOffset),
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new StackError(
        `${name}: not ready after ${seconds(timeoutMs)}; last lines of ${logFile}:`,
        tailLines(logFile, 25, logOffset),
      );
    }
    await sleep(pollMs);
  }
}

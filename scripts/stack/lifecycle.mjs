// up, down and status over the three servers: what runs already, pre-flight checks, downloads and
// builds, parallel start with readiness, and stopping in order. The servers themselves are described
// by their modules (kafka.mjs, registry.mjs, ferretdb.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { StackError, mkdirs, seconds, tailLines } from './common.mjs';
import { SERVERS, SERVER_MODULES, stackConfig } from './config.mjs';
import { isPortFree, processListensOn } from './ports.mjs';
import {
  STOP_TIMEOUT_MS,
  acquireLock,
  listPidFiles,
  liveRecord,
  processFingerprint,
  readPidFile,
  removePidFile,
  startProcess,
  stopProcess,
  waitUntilReady,
} from './processes.mjs';
import { checkJava, checkTool } from './tools.mjs';

function defaultLog(line) {
  console.log(line);
}

function recordedPortsMatch(server, record, cfg) {
  const wanted = server.ports(cfg).map((p) => p.port);
  const had = [record.port, record.controllerPort].filter((p) => p !== undefined);
  return had.every((p) => wanted.includes(p));
}

/** Whether `name` answers its readiness check from the process that holds its pid file. */
async function isReady(cfg, name, pid) {
  const server = SERVER_MODULES[name];
  return (await server.ready(cfg)) && processListensOn(pid, server.ports(cfg)[0].port) !== false;
}

/** Waits until `name` is ready; fails early if its process dies, with the tail of its log (from logOffset). */
function waitReady(cfg, name, pid, fingerprint, logOffset = 0) {
  const server = SERVER_MODULES[name];
  const logFile = cfg[name].logFile;
  const port = server.ports(cfg)[0].port;
  return waitUntilReady({
    name,
    ready: async () => {
      if (!(await server.ready(cfg))) return false;
      if (processListensOn(pid, port) !== false) return true;
      // Something answers, but it is not our process: another server took the port meanwhile.
      throw new StackError(
        `${name}: port ${port} is answered by another process, not by pid ${pid} started here; last lines of ${logFile}:`,
        tailLines(logFile, 15, logOffset),
      );
    },
    pid,
    fingerprint,
    logFile,
    logOffset,
    timeoutMs: cfg[name].readyTimeoutMs,
    pollMs: server.readyPollMs,
  });
}

function portTaken({ port, what, env }) {
  return `port ${port} (${what}) is already in use by another process: stop it or set ${env}`;
}

function combineErrors(errors) {
  if (errors.length === 1) return errors[0];
  const [first, ...rest] = errors;
  const details = [...(first.details ?? [])];
  for (const e of rest) details.push(e.summary ?? e.message, ...(e.details ?? []));
  return new StackError(first.summary ?? first.message, details);
}

/** Every problem that would stop `toStart` from starting, one line each, before anything runs. */
async function preflight(cfg, toStart) {
  const problems = [];
  if (toStart.some((n) => SERVER_MODULES[n].java)) {
    const p = checkJava();
    if (p) problems.push(p);
  }
  const tools = new Set(toStart.map((n) => SERVER_MODULES[n].setupTool(cfg)).filter(Boolean));
  for (const tool of tools) {
    const p = checkTool(tool);
    if (p) problems.push(p);
  }
  for (const name of toStart) {
    for (const port of SERVER_MODULES[name].ports(cfg)) {
      if (!(await isPortFree(port.port))) problems.push(portTaken(port));
    }
  }
  if (problems.length > 0) throw new StackError(problems.join('\n'), [], { plain: true });
}

/** Downloads and builds: Maven runs one at a time (a shared ~/.m2), Go alongside. */
async function setupAll(cfg, names, log) {
  const timed = async (name, done) => {
    const t = Date.now();
    await SERVER_MODULES[name].setup(cfg, log);
    log(`${name}: ${done} in ${seconds(Date.now() - t)}`);
  };
  const needs = (tool) => names.filter((n) => SERVER_MODULES[n].setupTool(cfg) === tool);
  const mavenChain = (async () => {
    for (const name of needs('mvn')) await timed(name, 'download done');
  })();
  const goBuilds = needs('go').map((name) => timed(name, 'build done'));
  const results = await Promise.allSettled([mavenChain, ...goBuilds]);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failed.length > 0) throw combineErrors(failed);
}

/** Starts one server that is not running and waits until it is ready; `started` learns its name. */
async function startServer(cfg, name, started, log) {
  const server = SERVER_MODULES[name];
  // Downloads/builds can take minutes: make sure nobody took the ports meanwhile.
  for (const port of server.ports(cfg)) {
    if (!(await isPortFree(port.port))) throw new StackError(portTaken(port));
  }
  await server.prepare(cfg, log);
  const { command, args, cwd, meta } = server.command(cfg);
  const t = Date.now();
  const { pid, fingerprint, logOffset } = await startProcess(
    { name, command, args, cwd, logFile: cfg[name].logFile, meta: { ...meta, kind: 'server' } },
    cfg,
  );
  started.push(name);
  log(`${name}: starting ${server.label} ${cfg[name].version} (pid ${pid})…`);
  await waitReady(cfg, name, pid, fingerprint, logOffset);
  log(`${name}: ready at ${server.address(cfg)} in ${seconds(Date.now() - t)}`);
}

/**
 * Starts Kafka, the schema registry and FerretDB (downloading/building them on first use) and waits until
 * each is ready. Idempotent: servers that are already running and ready are left alone. On failure,
 * stops whatever this call started and throws StackError. Progress goes to `log` (default console.log;
 * `quiet: true` for none). Resolves with stackConfig().
 */
export async function up({ env = process.env, log, quiet = false, handleSignals = false } = {}) {
  log = log ?? (quiet ? () => {} : defaultLog);
  const cfg = stackConfig(env);
  const release = await acquireLock(cfg, log);
  const startedHere = [];
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log('stack: interrupted; stopping what this run started…');
    void Promise.allSettled(startedHere.map((n) => stopProcess(n, {}, cfg))).finally(() => {
      release();
      process.exit(130);
    });
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    mkdirs(cfg.logsDir, cfg.pidsDir, cfg.dataDir, cfg.confDir, cfg.tmpDir);

    // 1. What is already running?
    const running = {};
    for (const name of SERVERS) {
      const record = liveRecord(cfg, name);
      if (record) {
        if (!recordedPortsMatch(SERVER_MODULES[name], record, cfg)) {
          throw new StackError(
            `${name} is running (pid ${record.pid}) on port ${record.port}, not the configured one: run \`node scripts/stack.mjs down\` first`,
          );
        }
        running[name] = record;
      } else if (readPidFile(name, cfg)) {
        removePidFile(cfg, name); // stale: that process is gone
      }
    }
    // 2. Servers that were already running: wait for them (they may still be starting). One that is
    // alive but does not answer within its start-up allowance is hung: stop it and start it again.
    await Promise.all(
      SERVERS.filter((n) => running[n]).map(async (name) => {
        const { pid, fingerprint } = running[name];
        try {
          await waitReady(cfg, name, pid, fingerprint);
          log(`${name}: already running (pid ${pid}) and ready at ${SERVER_MODULES[name].address(cfg)}`);
        } catch (error) {
          if (processFingerprint(pid) !== fingerprint) throw error;
          log(`${name}: running (pid ${pid}) but not answering; restarting it`);
          await stopProcess(name, {}, cfg);
          delete running[name];
        }
      }),
    );
    const toStart = SERVERS.filter((n) => !running[n]);
    if (toStart.length === 0) {
      log('stack: already up; nothing to do');
      return cfg;
    }

    // 3. Pre-flight: every problem on its own line, nothing started.
    await preflight(cfg, toStart);

    // 4. Downloads and builds, first run only.
    const t0 = Date.now();
    await setupAll(
      cfg,
      toStart.filter((n) => SERVER_MODULES[n].setupTool(cfg)),
      log,
    );

    // 5. Start everything that is not running, in parallel, and wait for readiness.
    const results = await Promise.allSettled(toStart.map((name) => startServer(cfg, name, startedHere, log)));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (failed.length > 0) {
      if (startedHere.length > 0) {
        log(`stack: startup failed; stopping what this run started (${startedHere.join(', ')})…`);
        await Promise.allSettled(startedHere.map((n) => stopProcess(n, {}, cfg)));
        log(`stack: stopped ${startedHere.join(', ')}`);
      }
      throw combineErrors(failed);
    }
    log(`stack: up in ${seconds(Date.now() - t0)}; logs in ${cfg.logsDir}`);
    return cfg;
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (!interrupted) release();
  }
}

function describeStop(r) {
  switch (r.result) {
    case 'stopped':
      return `stopped (pid ${r.pid}) in ${seconds(r.ms)}`;
    case 'killed':
      return `killed (pid ${r.pid}) after it ignored SIGTERM for ${seconds(STOP_TIMEOUT_MS)}`;
    case 'stale':
      return `was not running (removed stale pid file for pid ${r.pid})`;
    default:
      return 'was not running';
  }
}

/**
 * Stops every process with a pid file in <run>/pids: app services first, then the servers.
 * `purge: true` also deletes <run> (Kafka topics, registry schemas, FerretDB data, logs) but keeps the
 * download/build cache. Resolves with [{ name, result, pid, ms }].
 */
export async function down({ env = process.env, log, quiet = false, purge = false } = {}) {
  log = log ?? (quiet ? () => {} : defaultLog);
  const cfg = stackConfig(env);
  const release = await acquireLock(cfg, log);
  try {
    const names = listPidFiles(cfg);
    const outcomes = [];
    const stopAll = async (group) => {
      const results = await Promise.all(
        group.map(async (name) => {
          const r = await stopProcess(name, {}, cfg);
          log(`${name}: ${describeStop(r)}`);
          return { name, ...r };
        }),
      );
      outcomes.push(...results);
    };
    await stopAll(names.filter((n) => !SERVERS.includes(n)));
    await stopAll(SERVERS.filter((n) => names.includes(n)));
    if (names.length === 0) log('stack: nothing was running');
    if (purge) {
      // Remove everything but the lock we hold, which release() deletes.
      for (const entry of fs.existsSync(cfg.runDir) ? fs.readdirSync(cfg.runDir) : []) {
        if (entry !== 'stack.lock') fs.rmSync(path.join(cfg.runDir, entry), { recursive: true, force: true });
      }
      log(`stack: removed run data (Kafka topics, schemas, FerretDB data, logs) in ${cfg.runDir}`);
    }
    return outcomes;
  } finally {
    release();
  }
}

/**
 * The state of each server and any other process with a pid file:
 * [{ name, kind, running, pid, address, ready, logFile }].
 */
export async function status({ env = process.env } = {}) {
  const cfg = stackConfig(env);
  const rows = await Promise.all(
    SERVERS.map(async (name) => {
      const record = liveRecord(cfg, name);
      return {
        name,
        kind: 'server',
        running: record !== null,
        pid: record?.pid ?? null,
        address: SERVER_MODULES[name].address(cfg),
        ready: record ? await isReady(cfg, name, record.pid) : false,
        logFile: cfg[name].logFile,
      };
    }),
  );
  for (const name of listPidFiles(cfg).filter((n) => !SERVERS.includes(n))) {
    const record = liveRecord(cfg, name);
    const meta = readPidFile(name, cfg);
    rows.push({
      name,
      kind: 'service',
      running: record !== null,
      pid: record?.pid ?? meta?.pid ?? null,
      address: meta?.port ? `port ${meta.port}` : '',
      ready: null,
      logFile: meta?.logFile ?? path.join(cfg.logsDir, `${name}.log`),
    });
  }
  return rows;
}

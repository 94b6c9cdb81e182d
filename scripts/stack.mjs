#!/usr/bin/env node
// Tributary local infrastructure stack: real Kafka, a Confluent-compatible schema registry and a
// MongoDB-compatible database, started as plain processes (no Docker) on 127.0.0.1.
//
//   node scripts/stack.mjs up              download/build on first use, start, wait until ready
//   node scripts/stack.mjs down [--purge]  stop everything we started (services first); --purge also wipes data
//   node scripts/stack.mjs reset           same as down --purge
//   node scripts/stack.mjs status          running/stopped, pid, address, readiness
//   node scripts/stack.mjs logs [name]     list log files, or print the last 100 lines of one
//
// Servers: Apache Kafka 4.1.1 (KRaft, jars from Maven Central), Apicurio Registry 2.6.13.Final (ccompat API),
// FerretDB 1.24.2 on SQLite (a small Go wrapper in stack/ferretdb). See docs/local-stack.md.
//
// Plain Node ESM with no dependencies, so it runs before `npm install` and can be imported by other
// scripts: up(), down(), status(), stackConfig(), startProcess(), stopProcess(), isRunning(), and the
// readiness probes (kafkaReady, registryReady, mongoPing).

import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STACK_SRC = path.join(REPO_ROOT, 'stack');

export const VERSIONS = Object.freeze({ kafka: '4.1.1', registry: '2.6.13.Final', ferretdb: '1.24.2' });

/** The infrastructure servers, in the order they are reported. */
export const SERVERS = Object.freeze(['kafka', 'registry', 'ferretdb']);

const HOST = '127.0.0.1';
const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.7.1';
const READY_TIMEOUT_MS = { kafka: 60_000, registry: 60_000, ferretdb: 30_000 };
const STOP_TIMEOUT_MS = 20_000;
const LOCK_WAIT_MS = 10 * 60_000;

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

// ---------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------

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

/** Resolves TRIBUTARY_STACK_DIR (default ~/.cache/tributary); a leading ~ means the home directory. */
export function resolveStackDir(value, home = os.homedir()) {
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (text === '') return path.join(home, '.cache', 'tributary');
  if (text === '~') return home;
  if (text.startsWith('~/')) return path.join(home, text.slice(2));
  return path.resolve(text);
}

/**
 * Ports, URLs and paths of the stack, from the environment (process.env unless given).
 * Throws StackError for invalid or clashing ports.
 */
export function stackConfig(env = process.env) {
  const kafkaPort = parsePort(env.TRIBUTARY_KAFKA_PORT, 'TRIBUTARY_KAFKA_PORT', 9092);
  const controllerDefault = kafkaPort + 1;
  const controllerPort = parsePort(
    env.TRIBUTARY_KAFKA_CONTROLLER_PORT,
    'TRIBUTARY_KAFKA_CONTROLLER_PORT',
    controllerDefault,
  );
  if (controllerPort > 65535) {
    throw new StackError('TRIBUTARY_KAFKA_PORT is 65535, so set TRIBUTARY_KAFKA_CONTROLLER_PORT explicitly');
  }
  const registryPort = parsePort(env.TRIBUTARY_REGISTRY_PORT, 'TRIBUTARY_REGISTRY_PORT', 8081);
  const mongoPort = parsePort(env.TRIBUTARY_MONGO_PORT, 'TRIBUTARY_MONGO_PORT', 27017);
  const ferretLogLevel = (env.TRIBUTARY_FERRETDB_LOG_LEVEL ?? '').trim().toLowerCase() || 'error';
  if (!['debug', 'info', 'warn', 'error'].includes(ferretLogLevel)) {
    throw new StackError(
      `TRIBUTARY_FERRETDB_LOG_LEVEL must be debug, info, warn or error, got "${env.TRIBUTARY_FERRETDB_LOG_LEVEL}"`,
    );
  }

  const ports = [
    ['TRIBUTARY_KAFKA_PORT', kafkaPort],
    ['TRIBUTARY_KAFKA_CONTROLLER_PORT', controllerPort],
    ['TRIBUTARY_REGISTRY_PORT', registryPort],
    ['TRIBUTARY_MONGO_PORT', mongoPort],
  ];
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] === ports[j][1]) {
        throw new StackError(
          `${ports[i][0]} and ${ports[j][0]} are both ${ports[i][1]}: each server needs its own port`,
        );
      }
    }
  }

  const stackDir = resolveStackDir(env.TRIBUTARY_STACK_DIR);
  const runDir = path.join(stackDir, 'run');
  const logsDir = path.join(runDir, 'logs');
  const dataDir = path.join(runDir, 'data');
  const confDir = path.join(runDir, 'conf');
  const kafkaHome = path.join(stackDir, `kafka-${VERSIONS.kafka}`);
  const registryHome = path.join(stackDir, `apicurio-registry-${VERSIONS.registry}`);
  const ferretHome = path.join(stackDir, `ferretdb-${VERSIONS.ferretdb}`);
  const registryBase = `http://${HOST}:${registryPort}`;

  return {
    host: HOST,
    stackDir,
    runDir,
    logsDir,
    pidsDir: path.join(runDir, 'pids'),
    dataDir,
    confDir,
    tmpDir: path.join(runDir, 'tmp'),
    kafka: {
      version: VERSIONS.kafka,
      port: kafkaPort,
      controllerPort,
      bootstrapServers: `${HOST}:${kafkaPort}`,
      home: kafkaHome,
      libsDir: path.join(kafkaHome, 'libs'),
      dataDir: path.join(dataDir, 'kafka'),
      propertiesFile: path.join(confDir, 'kafka.properties'),
      log4jFile: path.join(STACK_SRC, 'kafka', 'log4j2.properties'),
      pom: path.join(STACK_SRC, 'kafka', 'pom.xml'),
      logFile: path.join(logsDir, 'kafka.log'),
    },
    registry: {
      version: VERSIONS.registry,
      port: registryPort,
      baseUrl: registryBase,
      /** What Confluent clients (e.g. @kafkajs/confluent-schema-registry) take as `host`. */
      url: `${registryBase}/apis/ccompat/v7`,
      home: registryHome,
      appDir: path.join(registryHome, 'app'),
      runnerJar: path.join(registryHome, 'app', `apicurio-registry-app-${VERSIONS.registry}-runner.jar`),
      dataDir: path.join(dataDir, 'registry'),
      pom: path.join(STACK_SRC, 'registry', 'pom.xml'),
      logFile: path.join(logsDir, 'registry.log'),
    },
    ferretdb: {
      version: VERSIONS.ferretdb,
      port: mongoPort,
      url: `mongodb://${HOST}:${mongoPort}`,
      home: ferretHome,
      binary: path.join(ferretHome, 'ferretdb-local'),
      sourceDir: path.join(STACK_SRC, 'ferretdb'),
      dataDir: path.join(dataDir, 'ferretdb'),
      /** FerretDB logs every failed command in full at warn and below; error keeps the log quiet. */
      logLevel: ferretLogLevel,
      logFile: path.join(logsDir, 'ferretdb.log'),
    },
  };
}

/** server.properties for a single-node KRaft broker+controller bound to 127.0.0.1. */
export function renderKafkaProperties({ port, controllerPort, dataDir }) {
  const props = [
    ['process.roles', 'broker,controller'],
    ['node.id', '1'],
    ['controller.quorum.voters', `1@${HOST}:${controllerPort}`],
    ['listeners', `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${HOST}:${port}`],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['log.dirs', dataDir],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['share.coordinator.state.topic.replication.factor', '1'],
    ['share.coordinator.state.topic.min.isr', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['num.partitions', '1'],
    ['auto.create.topics.enable', 'false'],
  ];
  // java.util.Properties treats backslash as an escape character; keep Windows-style paths intact.
  const escape = (v) => v.replace(/\\/g, '\\\\');
  return (
    '# Generated by scripts/stack.mjs on every `up`; edits are overwritten.\n' +
    props.map(([k, v]) => `${k}=${escape(v)}`).join('\n') +
    '\n'
  );
}

/**
 * A new Kafka cluster id, the same shape as `kafka-storage random-uuid`: a version-4 UUID in URL-safe
 * base64 without padding (22 characters), never starting with "-".
 */
export function newKafkaClusterId(random = randomBytes) {
  for (;;) {
    const bytes = Buffer.from(random(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const id = bytes.toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Major Java version from `java -version` output ("1.8.0_392" → 8, "17.0.15" → 17), or null. */
export function parseJavaMajor(text) {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(text);
  if (!m) return null;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

// ---------------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function mkdirs(...dirs) {
  for (const dir of dirs) fs.mkdirSync(dir, { recursive: true });
}

function sha256Files(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.basename(file) + '\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
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

/** Runs a command to completion with output appended to `logFile`; resolves with the exit code. */
function runLogged(command, args, { cwd, env, logFile }) {
  mkdirs(path.dirname(logFile));
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', fd, fd] });
    child.once('error', (err) => {
      fs.closeSync(fd);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      fs.closeSync(fd);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/**
 * Prepares the FerretDB build in the stack cache: a copy of the FerretDB module with the edits listed in
 * stack/ferretdb/patches.json applied, and a go.mod (a copy of stack/ferretdb's plus a `replace` pointing at
 * that copy) for `go build -modfile`. The Go module cache and the repository are never modified. Each
 * patch must match its file exactly once, so a FerretDB upgrade that moves the code fails loudly instead
 * of building an unpatched server. Returns the path of the generated go.mod.
 */
function prepareFerretSource(c) {
  const spec = JSON.parse(fs.readFileSync(path.join(c.ferretdb.sourceDir, 'patches.json'), 'utf8'));
  const download = spawnSync('go', ['mod', 'download', '-json', spec.module], {
    cwd: c.ferretdb.sourceDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10 * 60_000,
  });
  const moduleDir = download.status === 0 ? JSON.parse(download.stdout).Dir : undefined;
  if (!moduleDir) {
    throw new StackError(`ferretdb: go mod download ${spec.module} failed`, [
      ...(download.stderr ?? String(download.error ?? '')).trim().split('\n').slice(-5),
    ]);
  }
  const buildDir = path.join(c.ferretdb.home, 'build');
  const copy = path.join(buildDir, 'FerretDB');
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.cpSync(moduleDir, copy, { recursive: true });
  for (const patch of spec.patches) {
    const file = path.join(copy, patch.file);
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(patch.find);
    if (at < 0 || text.indexOf(patch.find, at + 1) >= 0) {
      throw new StackError(
        `ferretdb: patch for ${patch.file} does not apply to ${spec.module} ${VERSIONS.ferretdb} (expected exactly one \`${patch.find}\`)`,
      );
    }
    fs.chmodSync(file, 0o644); // files from the module cache are read-only
    fs.writeFileSync(file, text.slice(0, at) + patch.replace + text.slice(at + patch.find.length));
  }
  const modFile = path.join(buildDir, 'go.mod');
  const goMod = fs.readFileSync(path.join(c.ferretdb.sourceDir, 'go.mod'), 'utf8');
  fs.writeFileSync(modFile, `${goMod}\nreplace ${spec.module} => ${copy}\n`);
  fs.copyFileSync(path.join(c.ferretdb.sourceDir, 'go.sum'), path.join(buildDir, 'go.sum'));
  return modFile;
}

/** stdout+stderr of a short command (`java -version` prints to stderr), or null if it cannot run. */
function commandOutput(command, args) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  if (r.error) return null;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

function javaCommand(env = process.env) {
  const home = env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

/** True when nothing listens on 127.0.0.1:port (a quick bind probe). */
export function isPortFree(port, host = HOST) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Inodes of sockets listening on TCP `port` (any address) per /proc/net/tcp{,6}; null without /proc. */
function listeningInodes(port) {
  if (process.platform !== 'linux') return null;
  const inodes = new Set();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readText(table);
    if (text === null) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      const local = cols[1];
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(cols[9]);
    }
  }
  return readable ? inodes : null;
}

/**
 * Whether process `pid` itself holds the socket listening on `port` (true/false), or null where that
 * cannot be told (no /proc). Guards readiness checks against another server answering on the port.
 */
export function processListensOn(pid, port) {
  const inodes = listeningInodes(port);
  if (inodes === null) return null;
  if (inodes.size === 0) return false;
  let fds;
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const fd of fds) {
    let target;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m && inodes.has(m[1])) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Pid files and detached processes
// ---------------------------------------------------------------------------------------------------

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

function removePidFile(cfg, name) {
  fs.rmSync(pidFile(cfg, name), { force: true });
}

/** Our process for `name`: the record if its pid is alive AND has the recorded fingerprint, else null. */
function liveRecord(cfg, name) {
  const record = readPidFile(name, cfg);
  if (!record || record.pid <= 0 || !record.fingerprint) return null;
  return processFingerprint(record.pid) === record.fingerprint ? record : null;
}

/** Whether the process started under `name` (by this script or startProcess) is still running. */
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

// A lock so that two `up`/`down` runs (say, two terminals, or parallel test setups) do not race.
async function acquireLock(cfg, log) {
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

// ---------------------------------------------------------------------------------------------------
// Readiness probes (wire protocols implemented by hand, no dependencies)
// ---------------------------------------------------------------------------------------------------

/** Sends `payload` over TCP and resolves with the response once `frameLength(buffer)` says it is complete. */
function tcpExchange(port, payload, frameLength, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: HOST, port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`no answer on port ${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const length = frameLength(buf);
      if (length > 0 && buf.length >= length) finish(null, buf.subarray(0, length));
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`connection to port ${port} closed`)));
  });
}

const int32Framed = (buf) => (buf.length >= 4 ? 4 + buf.readInt32BE(0) : 0);

/** A Kafka request: size, api key, version, correlation id, client id (request header v1), body. */
export function kafkaRequest(apiKey, apiVersion, correlationId, body = Buffer.alloc(0)) {
  const clientId = Buffer.from('tributary-stack');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + clientId.length + body.length, 0);
  return Buffer.concat([size, header, clientId, body]);
}

/** Parses an ApiVersions v0 response (with its size prefix): { errorCode, apis: Map<apiKey, {min, max}> }. */
export function parseApiVersionsV0(buf) {
  let off = 8; // size + correlation id
  const errorCode = buf.readInt16BE(off);
  off += 2;
  const count = buf.readInt32BE(off);
  off += 4;
  const apis = new Map();
  for (let i = 0; i < count; i++) {
    apis.set(buf.readInt16BE(off), { min: buf.readInt16BE(off + 2), max: buf.readInt16BE(off + 4) });
    off += 6;
  }
  return { errorCode, apis };
}

/** Metadata request body for a non-flexible version (1..8): all topics, no auto-creation. */
export function metadataRequestBody(version) {
  const parts = [Buffer.from([0xff, 0xff, 0xff, 0xff])]; // topics: null = all
  if (version >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation
  if (version >= 8) parts.push(Buffer.from([0, 0])); // include cluster/topic authorized operations
  return Buffer.concat(parts);
}

/** The brokers from a Metadata response (v1..v8, with size prefix): [{ nodeId, host, port }]. */
export function parseMetadataBrokers(buf, version) {
  let off = 8; // size + correlation id
  if (version >= 3) off += 4; // throttle_time_ms
  const count = buf.readInt32BE(off);
  off += 4;
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = buf.readInt32BE(off);
    const hostLength = buf.readInt16BE(off + 4);
    const host = buf.toString('utf8', off + 6, off + 6 + hostLength);
    off += 6 + hostLength;
    const port = buf.readInt32BE(off);
    off += 4;
    if (version >= 1) {
      const rackLength = buf.readInt16BE(off);
      off += 2 + Math.max(rackLength, 0);
    }
    brokers.push({ nodeId, host, port });
  }
  return brokers;
}

/** ApiVersions v0 against 127.0.0.1:port. */
export async function kafkaApiVersions(port, timeoutMs = 2_000) {
  return parseApiVersionsV0(await tcpExchange(port, kafkaRequest(18, 0, 1), int32Framed, timeoutMs));
}

/**
 * The brokers a Kafka node reports in a Metadata response (the version is picked from ApiVersions), or
 * null if the node does not answer ApiVersions with error 0.
 */
export async function kafkaBrokers(port, timeoutMs = 2_000) {
  const { errorCode, apis } = await kafkaApiVersions(port, timeoutMs);
  if (errorCode !== 0) return null;
  const range = apis.get(3);
  if (!range) return null;
  const version = Math.min(Math.max(4, range.min), range.max, 8);
  if (version < range.min) return null;
  const response = await tcpExchange(
    port,
    kafkaRequest(3, version, 2, metadataRequestBody(version)),
    int32Framed,
    timeoutMs,
  );
  return parseMetadataBrokers(response, version);
}

/** True when the broker answers ApiVersions (error 0) and Metadata lists at least one broker. */
export async function kafkaReady(port, timeoutMs = 2_000) {
  try {
    const brokers = await kafkaBrokers(port, timeoutMs);
    return Array.isArray(brokers) && brokers.length > 0;
  } catch {
    return false;
  }
}

/** GET over HTTP: { status, body }. */
export function httpGet(url, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** True when the registry answers GET /apis/ccompat/v7/subjects with 200. */
export async function registryReady(port, timeoutMs = 2_000) {
  try {
    const { status } = await httpGet(`http://${HOST}:${port}/apis/ccompat/v7/subjects`, timeoutMs);
    return status === 200;
  } catch {
    return false;
  }
}

// A tiny BSON codec, enough for MongoDB commands and their replies.

/** Encodes a plain object as a BSON document. */
export function encodeBson(doc) {
  const parts = [];
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    const name = Buffer.from(`${key}\0`);
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
        const b = Buffer.alloc(4);
        b.writeInt32LE(value);
        parts.push(Buffer.from([0x10]), name, b);
      } else {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(value);
        parts.push(Buffer.from([0x01]), name, b);
      }
    } else if (typeof value === 'bigint') {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(value);
      parts.push(Buffer.from([0x12]), name, b);
    } else if (typeof value === 'string') {
      const s = Buffer.from(value, 'utf8');
      const len = Buffer.alloc(4);
      len.writeInt32LE(s.length + 1);
      parts.push(Buffer.from([0x02]), name, len, s, Buffer.from([0]));
    } else if (typeof value === 'boolean') {
      parts.push(Buffer.from([0x08]), name, Buffer.from([value ? 1 : 0]));
    } else if (value === null) {
      parts.push(Buffer.from([0x0a]), name);
    } else if (value instanceof Date) {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value.getTime()));
      parts.push(Buffer.from([0x09]), name, b);
    } else if (Array.isArray(value)) {
      parts.push(
        Buffer.from([0x04]),
        name,
        encodeBson(Object.fromEntries(value.map((v, i) => [String(i), v]))),
      );
    } else if (typeof value === 'object') {
      parts.push(Buffer.from([0x03]), name, encodeBson(value));
    } else {
      throw new TypeError(`cannot encode ${typeof value} as BSON (key "${key}")`);
    }
  }
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32LE(4 + body.length + 1);
  return Buffer.concat([size, body, Buffer.from([0])]);
}

/** Decodes a BSON document at `offset` into a plain object (ObjectId → hex string, int64 → number). */
export function decodeBson(buf, offset = 0, asArray = false) {
  const end = offset + buf.readInt32LE(offset);
  const out = asArray ? [] : {};
  let off = offset + 4;
  while (off < end - 1) {
    const type = buf[off++];
    const nul = buf.indexOf(0, off);
    const key = buf.toString('utf8', off, nul);
    off = nul + 1;
    let value;
    switch (type) {
      case 0x01:
        value = buf.readDoubleLE(off);
        off += 8;
        break;
      case 0x02:
      case 0x0d:
      case 0x0e: {
        const len = buf.readInt32LE(off);
        value = buf.toString('utf8', off + 4, off + 4 + len - 1);
        off += 4 + len;
        break;
      }
      case 0x03:
      case 0x04:
        value = decodeBson(buf, off, type === 0x04);
        off += buf.readInt32LE(off);
        break;
      case 0x05: {
        const len = buf.readInt32LE(off);
        value = Buffer.from(buf.subarray(off + 5, off + 5 + len));
        off += 5 + len;
        break;
      }
      case 0x06:
      case 0x0a:
      case 0x7f:
      case 0xff:
        value = null;
        break;
      case 0x07:
        value = buf.toString('hex', off, off + 12);
        off += 12;
        break;
      case 0x08:
        value = buf[off] !== 0;
        off += 1;
        break;
      case 0x09:
        value = new Date(Number(buf.readBigInt64LE(off)));
        off += 8;
        break;
      case 0x0b: {
        const p = buf.indexOf(0, off);
        const f = buf.indexOf(0, p + 1);
        value = { pattern: buf.toString('utf8', off, p), flags: buf.toString('utf8', p + 1, f) };
        off = f + 1;
        break;
      }
      case 0x10:
        value = buf.readInt32LE(off);
        off += 4;
        break;
      case 0x11:
        value = { t: buf.readUInt32LE(off + 4), i: buf.readUInt32LE(off) };
        off += 8;
        break;
      case 0x12: {
        const n = buf.readBigInt64LE(off);
        value = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
        off += 8;
        break;
      }
      case 0x13:
        value = Buffer.from(buf.subarray(off, off + 16));
        off += 16;
        break;
      default:
        throw new Error(`unsupported BSON type 0x${type.toString(16)} for key "${key}"`);
    }
    if (asArray) out.push(value);
    else out[key] = value;
  }
  return out;
}

/** An OP_MSG (opcode 2013) with one body section. */
export function opMsg(requestId, command) {
  const body = encodeBson(command);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header[20] = 0; // section kind 0: body
  return Buffer.concat([header, body]);
}

/** Runs a MongoDB command (e.g. { ping: 1, $db: 'admin' }) against 127.0.0.1:port; resolves with the reply. */
export async function mongoCommand(port, command, timeoutMs = 2_000) {
  const frameLength = (buf) => (buf.length >= 4 ? buf.readInt32LE(0) : 0);
  const reply = await tcpExchange(port, opMsg(1, command), frameLength, timeoutMs);
  if (reply.readInt32LE(12) !== 2013) throw new Error(`unexpected MongoDB opcode ${reply.readInt32LE(12)}`);
  if (reply[20] !== 0) throw new Error('unexpected OP_MSG section kind');
  return decodeBson(reply, 21);
}

/** True when a MongoDB-compatible server answers { ping: 1 } with ok: 1. */
export async function mongoPing(port, timeoutMs = 2_000) {
  try {
    const reply = await mongoCommand(port, { ping: 1, $db: 'admin' }, timeoutMs);
    return reply.ok === 1;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Server definitions
// ---------------------------------------------------------------------------------------------------

function mavenCopy(pom, outputDir, logFile, extra = []) {
  return runLogged(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pom,
      `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${outputDir}`,
      ...extra,
    ],
    { cwd: path.dirname(pom), logFile },
  );
}

function setupFailure(what, code, logFile) {
  return new StackError(`${what} failed (exit ${code}); see ${logFile}`, tailLines(logFile, 15));
}

const SERVER_DEFS = {
  kafka: {
    label: 'Kafka',
    java: true,
    ports: (c) => [
      { port: c.kafka.port, what: 'Kafka', env: 'TRIBUTARY_KAFKA_PORT' },
      { port: c.kafka.controllerPort, what: 'Kafka controller', env: 'TRIBUTARY_KAFKA_CONTROLLER_PORT' },
    ],
    address: (c) => `${c.kafka.bootstrapServers} (controller ${c.kafka.controllerPort})`,
    setupTool: (c) => {
      const marker = readText(path.join(c.kafka.libsDir, '.complete'));
      return marker?.trim() === sha256Files([c.kafka.pom]) ? null : 'mvn';
    },
    async setup(c, log) {
      const logFile = path.join(c.logsDir, 'setup-kafka.log');
      log(`kafka: fetching Kafka ${c.kafka.version} jars with Maven (first run only)…`);
      const partial = `${c.kafka.libsDir}.partial`;
      fs.rmSync(partial, { recursive: true, force: true });
      const code = await mavenCopy(c.kafka.pom, partial, logFile, ['-DincludeScope=runtime']);
      if (code !== 0) throw setupFailure('kafka: Maven download', code, logFile);
      fs.rmSync(c.kafka.libsDir, { recursive: true, force: true });
      fs.renameSync(partial, c.kafka.libsDir);
      fs.writeFileSync(path.join(c.kafka.libsDir, '.complete'), `${sha256Files([c.kafka.pom])}\n`);
    },
    async prepare(c, log) {
      mkdirs(c.kafka.dataDir, c.confDir);
      writeAtomic(c.kafka.propertiesFile, renderKafkaProperties(c.kafka));
      if (fs.existsSync(path.join(c.kafka.dataDir, 'meta.properties'))) return; // formatted before
      const clusterId = newKafkaClusterId();
      log(`kafka: formatting storage in ${c.kafka.dataDir} (cluster id ${clusterId})…`);
      const code = await runLogged(
        javaCommand(),
        [
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          `-Dlog4j2.configurationFile=file:${c.kafka.log4jFile}`,
          '-cp',
          path.join(c.kafka.libsDir, '*'),
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          c.kafka.propertiesFile,
          '--ignore-formatted',
        ],
        { cwd: c.runDir, logFile: c.kafka.logFile },
      );
      if (code !== 0) throw setupFailure('kafka: storage format', code, c.kafka.logFile);
    },
    command: (c) => ({
      command: javaCommand(),
      args: [
        '-Xms256m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=file:${c.kafka.log4jFile}`,
        '-cp',
        path.join(c.kafka.libsDir, '*'),
        'kafka.Kafka',
        c.kafka.propertiesFile,
      ],
      cwd: c.runDir,
      meta: { port: c.kafka.port, controllerPort: c.kafka.controllerPort },
    }),
    ready: (c) => kafkaReady(c.kafka.port),
  },

  registry: {
    label: 'schema registry',
    java: true,
    ports: (c) => [{ port: c.registry.port, what: 'schema registry', env: 'TRIBUTARY_REGISTRY_PORT' }],
    address: (c) => c.registry.url,
    setupTool: (c) => {
      const marker = readText(path.join(c.registry.appDir, '.complete'));
      return marker?.trim() === sha256Files([c.registry.pom]) && fs.existsSync(c.registry.runnerJar)
        ? null
        : 'mvn';
    },
    async setup(c, log) {
      const logFile = path.join(c.logsDir, 'setup-registry.log');
      log(`registry: fetching Apicurio Registry ${c.registry.version} with Maven (first run only, ~140 MB)…`);
      const download = path.join(c.registry.home, 'download');
      fs.rmSync(download, { recursive: true, force: true });
      const code = await mavenCopy(c.registry.pom, download, logFile);
      if (code !== 0) throw setupFailure('registry: Maven download', code, logFile);
      const archive = fs.readdirSync(download).find((f) => f.endsWith('.tar.gz'));
      if (!archive) throw new StackError(`registry: Maven finished but no .tar.gz is in ${download}`);
      log('registry: extracting the distribution…');
      const partial = `${c.registry.appDir}.partial`;
      fs.rmSync(partial, { recursive: true, force: true });
      mkdirs(partial);
      const tarCode = await runLogged('tar', ['xzf', path.join(download, archive), '-C', partial], {
        cwd: c.registry.home,
        logFile,
      });
      if (tarCode !== 0) throw setupFailure('registry: tar', tarCode, logFile);
      fs.rmSync(c.registry.appDir, { recursive: true, force: true });
      fs.renameSync(partial, c.registry.appDir);
      fs.rmSync(download, { recursive: true, force: true }); // Maven's ~/.m2 keeps the archive
      if (!fs.existsSync(c.registry.runnerJar)) {
        throw new StackError(`registry: ${path.basename(c.registry.runnerJar)} is missing from the archive`);
      }
      fs.writeFileSync(path.join(c.registry.appDir, '.complete'), `${sha256Files([c.registry.pom])}\n`);
    },
    async prepare(c) {
      mkdirs(c.registry.dataDir, path.join(c.tmpDir, 'registry'));
    },
    command: (c) => ({
      command: javaCommand(),
      args: [
        '-Xms64m',
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dquarkus.http.port=${c.registry.port}`,
        `-Dquarkus.http.host=${HOST}`,
        // Persist to an H2 file (the default is an in-memory H2): schema ids stay valid for the
        // messages Kafka keeps across restarts.
        `-Dquarkus.datasource.jdbc.url=jdbc:h2:file:${path.join(c.registry.dataDir, 'registry')}`,
        // Confluent-like ccompat behaviour (see docs/local-stack.md): ids are content ids shared by
        // identical schemas, equivalent schemas (whitespace/ordering of JSON) map to the same id, and
        // subjects without their own rule default to BACKWARD like Confluent.
        '-Dregistry.ccompat.legacy-id-mode.enabled=false',
        '-Dregistry.ccompat.use-canonical-hash=true',
        '-Dregistry.rules.global.compatibility=BACKWARD',
        `-Dvertx.cacheDirBase=${path.join(c.tmpDir, 'registry')}`,
        '-jar',
        c.registry.runnerJar,
      ],
      cwd: c.registry.appDir,
      meta: { port: c.registry.port },
    }),
    ready: (c) => registryReady(c.registry.port),
  },

  ferretdb: {
    label: 'FerretDB',
    java: false,
    ports: (c) => [{ port: c.ferretdb.port, what: 'MongoDB API of FerretDB', env: 'TRIBUTARY_MONGO_PORT' }],
    address: (c) => c.ferretdb.url,
    sourceHash: (c) =>
      sha256Files(
        ['go.mod', 'go.sum', 'main.go', 'patches.json'].map((f) => path.join(c.ferretdb.sourceDir, f)),
      ),
    setupTool(c) {
      const stamp = readText(`${c.ferretdb.binary}.sha256`);
      return stamp?.trim() === this.sourceHash(c) && fs.existsSync(c.ferretdb.binary) ? null : 'go';
    },
    async setup(c, log) {
      const logFile = path.join(c.logsDir, 'setup-ferretdb.log');
      log(
        `ferretdb: building FerretDB ${c.ferretdb.version} with Go (first run or after stack/ferretdb changes; up to ~3 min with a cold Go build cache)…`,
      );
      mkdirs(c.ferretdb.home);
      const partial = `${c.ferretdb.binary}.partial`;
      const modFile = prepareFerretSource(c);
      const code = await runLogged(
        'go',
        ['build', '-mod=readonly', '-buildvcs=false', `-modfile=${modFile}`, '-o', partial, '.'],
        { cwd: c.ferretdb.sourceDir, logFile },
      );
      if (code !== 0) throw setupFailure('ferretdb: go build', code, logFile);
      fs.renameSync(partial, c.ferretdb.binary);
      fs.writeFileSync(`${c.ferretdb.binary}.sha256`, `${this.sourceHash(c)}\n`);
    },
    async prepare(c) {
      mkdirs(c.ferretdb.dataDir);
    },
    command: (c) => ({
      command: c.ferretdb.binary,
      args: [
        '-listen',
        `${HOST}:${c.ferretdb.port}`,
        '-dir',
        c.ferretdb.dataDir,
        '-log-level',
        c.ferretdb.logLevel,
      ],
      cwd: c.runDir,
      meta: { port: c.ferretdb.port },
    }),
    ready: (c) => mongoPing(c.ferretdb.port),
  },
};

function recordedPortsMatch(def, record, cfg) {
  const wanted = def.ports(cfg).map((p) => p.port);
  const had = [record.port, record.controllerPort].filter((p) => p !== undefined);
  return had.every((p) => wanted.includes(p));
}

/** Waits until `name` is ready; fails early if its process dies, with the tail of its log (from logOffset). */
async function waitReady(cfg, name, pid, fingerprint, logOffset = 0) {
  const def = SERVER_DEFS[name];
  const timeoutMs = READY_TIMEOUT_MS[name];
  const logFile = cfg[name].logFile;
  const port = def.ports(cfg)[0].port;
  const started = Date.now();
  for (;;) {
    if (await def.ready(cfg)) {
      const ours = processListensOn(pid, port);
      if (ours !== false) return Date.now() - started;
      // Something answers, but it is not our process: another server took the port meanwhile.
      throw new StackError(
        `${name}: port ${port} is answered by another process, not by pid ${pid} started here; last lines of ${logFile}:`,
        tailLines(logFile, 15, logOffset),
      );
    }
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
    await sleep(name === 'kafka' ? 500 : 250);
  }
}

// ---------------------------------------------------------------------------------------------------
// Pre-flight checks
// ---------------------------------------------------------------------------------------------------

function checkJava() {
  const out = commandOutput(javaCommand(), ['-version']);
  const major = out ? parseJavaMajor(out) : null;
  if (major === null || major < 17) {
    const found = major === null ? '' : ` (found Java ${major})`;
    return `Java 17 or newer is required for Kafka and the schema registry${found}: install openjdk-17-jre-headless (apt) or set JAVA_HOME`;
  }
  return null;
}

function checkTool(tool) {
  if (tool === 'mvn') {
    const out = commandOutput('mvn', ['-v']);
    return out && /Apache Maven/.test(out)
      ? null
      : 'Maven is required to download Kafka and the schema registry on first run: install maven (apt) or put mvn on PATH';
  }
  const out = commandOutput('go', ['version']);
  return out && /go version/.test(out)
    ? null
    : 'Go is required to build FerretDB on first run: install Go 1.24 or newer (https://go.dev/dl or apt golang) or put go on PATH';
}

// ---------------------------------------------------------------------------------------------------
// up / down / status
// ---------------------------------------------------------------------------------------------------

function defaultLog(line) {
  console.log(line);
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
        if (!recordedPortsMatch(SERVER_DEFS[name], record, cfg)) {
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
    const alreadyUp = SERVERS.filter((n) => running[n]);
    await Promise.all(
      alreadyUp.map(async (name) => {
        const { pid, fingerprint } = running[name];
        try {
          await waitReady(cfg, name, pid, fingerprint);
          log(`${name}: already running (pid ${pid}) and ready at ${SERVER_DEFS[name].address(cfg)}`);
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
    if (toStart.length > 0) {
      const problems = [];
      if (toStart.some((n) => SERVER_DEFS[n].java)) {
        const p = checkJava();
        if (p) problems.push(p);
      }
      const tools = new Set(toStart.map((n) => SERVER_DEFS[n].setupTool(cfg)).filter(Boolean));
      for (const tool of tools) {
        const p = checkTool(tool);
        if (p) problems.push(p);
      }
      for (const name of toStart) {
        for (const { port, what, env: envName } of SERVER_DEFS[name].ports(cfg)) {
          if (!(await isPortFree(port))) {
            problems.push(
              `port ${port} (${what}) is already in use by another process: stop it or set ${envName}`,
            );
          }
        }
      }
      if (problems.length > 0) throw new StackError(problems.join('\n'), [], { plain: true });
    }

    // 4. Downloads and builds: Maven runs one at a time (a shared ~/.m2), Go alongside.
    const t0 = Date.now();
    const needsSetup = toStart.filter((n) => SERVER_DEFS[n].setupTool(cfg));
    if (needsSetup.length > 0) {
      const mavenChain = (async () => {
        for (const name of needsSetup.filter((n) => SERVER_DEFS[n].setupTool(cfg) === 'mvn')) {
          const t = Date.now();
          await SERVER_DEFS[name].setup(cfg, log);
          log(`${name}: download done in ${seconds(Date.now() - t)}`);
        }
      })();
      const goBuilds = needsSetup
        .filter((n) => SERVER_DEFS[n].setupTool(cfg) === 'go')
        .map(async (name) => {
          const t = Date.now();
          await SERVER_DEFS[name].setup(cfg, log);
          log(`${name}: build done in ${seconds(Date.now() - t)}`);
        });
      const results = await Promise.allSettled([mavenChain, ...goBuilds]);
      const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      if (failed.length > 0) throw combineErrors(failed);
    }

    // 5. Start everything that is not running, in parallel, and wait for readiness.
    const results = await Promise.allSettled(
      toStart.map(async (name) => {
        const def = SERVER_DEFS[name];
        // Downloads/builds can take minutes: make sure nobody took the ports meanwhile.
        for (const { port, what, env: envName } of def.ports(cfg)) {
          if (!(await isPortFree(port))) {
            throw new StackError(
              `port ${port} (${what}) is already in use by another process: stop it or set ${envName}`,
            );
          }
        }
        await def.prepare(cfg, log);
        const { command, args, cwd, meta } = def.command(cfg);
        const t = Date.now();
        const { pid, fingerprint, logOffset } = await startProcess(
          { name, command, args, cwd, logFile: cfg[name].logFile, meta: { ...meta, kind: 'server' } },
          cfg,
        );
        startedHere.push(name);
        log(`${name}: starting ${def.label} ${cfg[name].version} (pid ${pid})…`);
        await waitReady(cfg, name, pid, fingerprint, logOffset);
        log(`${name}: ready at ${def.address(cfg)} in ${seconds(Date.now() - t)}`);
      }),
    );
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

function combineErrors(errors) {
  if (errors.length === 1) return errors[0];
  const [first, ...rest] = errors;
  const details = [...(first.details ?? [])];
  for (const e of rest) details.push(e.summary ?? e.message, ...(e.details ?? []));
  return new StackError(first.summary ?? first.message, details);
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
    const services = names.filter((n) => !SERVERS.includes(n));
    const servers = SERVERS.filter((n) => names.includes(n));
    const outcomes = [];
    const stopAll = async (group) => {
      const results = await Promise.all(
        group.map(async (name) => {
          const r = await stopProcess(name, {}, cfg);
          const what =
            r.result === 'stopped'
              ? `stopped (pid ${r.pid}) in ${seconds(r.ms)}`
              : r.result === 'killed'
                ? `killed (pid ${r.pid}) after it ignored SIGTERM for ${seconds(STOP_TIMEOUT_MS)}`
                : r.result === 'stale'
                  ? `was not running (removed stale pid file for pid ${r.pid})`
                  : 'was not running';
          log(`${name}: ${what}`);
          return { name, ...r };
        }),
      );
      outcomes.push(...results);
    };
    await stopAll(services);
    await stopAll(servers);
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
      const def = SERVER_DEFS[name];
      return {
        name,
        kind: 'server',
        running: record !== null,
        pid: record?.pid ?? null,
        address: def.address(cfg),
        ready: record
          ? (await def.ready(cfg)) && processListensOn(record.pid, def.ports(cfg)[0].port) !== false
          : false,
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

// ---------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------

const USAGE = `usage: node scripts/stack.mjs <command>
  up               start Kafka, the schema registry and FerretDB (downloads/builds on first use)
  down [--purge]   stop everything started here (app services first); --purge also wipes run data
  reset            same as down --purge (keeps the download/build cache)
  status           show each server: running/stopped, pid, address, ready
  logs [name]      list log files, or print the last 100 lines of one (e.g. logs kafka)`;

function printStatus(rows) {
  const width = Math.max(...rows.map((r) => r.name.length), 8);
  for (const r of rows) {
    const state = r.running ? 'running' : 'stopped';
    const pid = r.running ? `pid ${r.pid}` : '-';
    const ready = r.kind === 'service' ? '(service)' : r.running ? (r.ready ? 'ready' : 'NOT READY') : '';
    console.log(
      `${r.name.padEnd(width)}  ${state.padEnd(7)}  ${pid.padEnd(10)}  ${r.address}  ${ready}`.trimEnd(),
    );
  }
}

function printLogs(cfg, name) {
  if (!name) {
    const files = fs.existsSync(cfg.logsDir)
      ? fs
          .readdirSync(cfg.logsDir)
          .filter((f) => f.endsWith('.log'))
          .sort()
      : [];
    if (files.length === 0) {
      console.log(`no logs yet in ${cfg.logsDir}`);
      return;
    }
    for (const f of files) {
      const size = fs.statSync(path.join(cfg.logsDir, f)).size;
      console.log(
        `${f.slice(0, -4).padEnd(16)}  ${path.join(cfg.logsDir, f)}  (${Math.ceil(size / 1024)} KiB)`,
      );
    }
    return;
  }
  const file = path.join(cfg.logsDir, name.endsWith('.log') ? name : `${name}.log`);
  if (!fs.existsSync(file))
    throw new StackError(`no log file ${file}; run \`node scripts/stack.mjs logs\` to list them`);
  console.log(`==> ${file} <==`);
  for (const line of tailLines(file, 100)) console.log(line);
}

export async function main(argv = process.argv.slice(2)) {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'up':
        await up({ handleSignals: true });
        return 0;
      case 'down':
        if (rest.some((a) => a !== '--purge'))
          throw new StackError(`unknown option for down: ${rest.join(' ')}`);
        await down({ purge: rest.includes('--purge') });
        return 0;
      case 'reset':
        await down({ purge: true });
        return 0;
      case 'status': {
        const rows = await status();
        printStatus(rows);
        return rows.filter((r) => r.kind === 'server').every((r) => r.running && r.ready) ? 0 : 1;
      }
      case 'logs':
        printLogs(stackConfig(), rest[0]);
        return 0;
      case 'config':
        console.log(JSON.stringify(stackConfig(), null, 2));
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`stack: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof StackError) {
      console.error(err.plain ? err.message : `stack: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function isMainModule() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

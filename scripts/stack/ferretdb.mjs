// The store: FerretDB 1.24.2 on SQLite, speaking the MongoDB wire protocol, built from the Go module
// proxy through the small wrapper module in stack/ferretdb (with one build-time patch, see
// prepareSource).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST,
  STACK_SRC,
  StackError,
  mkdirs,
  parsePort,
  readText,
  readyTimeoutMs,
  sha256Files,
} from './common.mjs';
import { acceptsConnections } from './ports.mjs';
import { runLogged, setupFailure } from './tools.mjs';

const VERSION = '1.24.2';
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
const SYNCHRONOUS = ['normal', 'full'];

/** True when the MongoDB-wire server on 127.0.0.1:port answers { ping: 1 } with ok: 1 (MongoDB driver). */
export async function mongoPing(port, timeoutMs = 2_000) {
  // The driver waits its whole server-selection timeout for a port nobody listens on yet; a refused
  // connection answers at once.
  if (!(await acceptsConnections(port, timeoutMs))) return false;
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(`mongodb://${HOST}:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Prepares the build in the stack cache: a copy of the FerretDB module with the edits listed in
 * stack/ferretdb/patches.json applied, and a go.mod (a copy of stack/ferretdb's plus a `replace` pointing at
 * that copy) for `go build -modfile`. The Go module cache and the repository are never modified. Each
 * patch must match its file exactly once, so a FerretDB upgrade that moves the code fails loudly instead
 * of building an unpatched server. Returns the path of the generated go.mod.
 */
function prepareSource(c) {
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
        `ferretdb: patch for ${patch.file} does not apply to ${spec.module} ${VERSION} (expected exactly one \`${patch.find}\`)`,
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

/** The hash of the wrapper's inputs; the binary is rebuilt when it changes. */
const sourceHash = (c) =>
  sha256Files(['go.mod', 'go.sum', 'main.go', 'patches.json'].map((f) => path.join(c.ferretdb.sourceDir, f)));

export const ferretdb = {
  name: 'ferretdb',
  label: 'FerretDB',
  version: VERSION,
  java: false,
  readyTimeoutMs: 90_000,
  readyPollMs: 250,

  configure(env, { stackDir, dataDir, logsDir }) {
    const port = parsePort(env.TRIBUTARY_MONGO_PORT, 'TRIBUTARY_MONGO_PORT', 27017);
    const logLevel = (env.TRIBUTARY_FERRETDB_LOG_LEVEL ?? '').trim().toLowerCase() || 'error';
    if (!LOG_LEVELS.includes(logLevel)) {
      throw new StackError(
        `TRIBUTARY_FERRETDB_LOG_LEVEL must be debug, info, warn or error, got "${env.TRIBUTARY_FERRETDB_LOG_LEVEL}"`,
      );
    }
    const synchronous = (env.TRIBUTARY_FERRETDB_SYNCHRONOUS ?? '').trim().toLowerCase() || 'normal';
    if (!SYNCHRONOUS.includes(synchronous)) {
      throw new StackError(
        `TRIBUTARY_FERRETDB_SYNCHRONOUS must be normal or full, got "${env.TRIBUTARY_FERRETDB_SYNCHRONOUS}"`,
      );
    }
    const home = path.join(stackDir, `ferretdb-${VERSION}`);
    return {
      readyTimeoutMs: readyTimeoutMs(env, this.readyTimeoutMs),
      version: VERSION,
      port,
      url: `mongodb://${HOST}:${port}`,
      home,
      binary: path.join(home, 'ferretdb-local'),
      sourceDir: path.join(STACK_SRC, 'ferretdb'),
      dataDir: path.join(dataDir, 'ferretdb'),
      /** FerretDB logs every failed command in full at warn and below; error keeps the log quiet. */
      logLevel,
      /**
       * SQLite's `synchronous`: `normal` (a commit survives the server's process dying, like MongoDB's
       * default write concern, which does not wait for the journal) or `full` (an fsync per commit).
       */
      synchronous,
      logFile: path.join(logsDir, 'ferretdb.log'),
    };
  },

  ports: (c) => [{ port: c.ferretdb.port, what: 'MongoDB API of FerretDB', env: 'TRIBUTARY_MONGO_PORT' }],

  address: (c) => c.ferretdb.url,

  /** 'go' while the binary is missing or was built from other inputs, else null. */
  setupTool(c) {
    const stamp = readText(`${c.ferretdb.binary}.sha256`);
    return stamp?.trim() === sourceHash(c) && fs.existsSync(c.ferretdb.binary) ? null : 'go';
  },

  async setup(c, log) {
    const logFile = path.join(c.logsDir, 'setup-ferretdb.log');
    log(
      `ferretdb: building FerretDB ${VERSION} with Go (first run or after stack/ferretdb changes; up to ~3 min with a cold Go build cache)…`,
    );
    mkdirs(c.ferretdb.home);
    const partial = `${c.ferretdb.binary}.partial`;
    const modFile = prepareSource(c);
    const code = await runLogged(
      'go',
      ['build', '-mod=readonly', '-buildvcs=false', `-modfile=${modFile}`, '-o', partial, '.'],
      { cwd: c.ferretdb.sourceDir, logFile },
    );
    if (code !== 0) throw setupFailure('ferretdb: go build', code, logFile);
    fs.renameSync(partial, c.ferretdb.binary);
    fs.writeFileSync(`${c.ferretdb.binary}.sha256`, `${sourceHash(c)}\n`);
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
      '-synchronous',
      c.ferretdb.synchronous,
    ],
    cwd: c.runDir,
    meta: { port: c.ferretdb.port },
  }),

  ready: (c) => mongoPing(c.ferretdb.port),
};

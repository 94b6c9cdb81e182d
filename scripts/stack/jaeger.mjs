// The trace backend: Jaeger v2 (`cmd/jaeger`, an OpenTelemetry Collector distribution) built from the Go
// module proxy through the small wrapper module in stack/jaeger, run with in-memory storage, an OTLP/HTTP
// receiver for the services' spans and the query service (API and UI). Like the embeddings server it is
// not one of the stack's servers: `npm start -- --with-tracing` and the tracing tests start it, and
// `down` stops it with everything else that has a pid file.
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
  seconds,
  sha256Files,
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
  stopProcess,
} from './processes.mjs';
import { checkTool, runLogged, setupFailure } from './tools.mjs';

/** The module version of github.com/jaegertracing/jaeger: its v1.x tags carry the v2 binary (`cmd/jaeger`). */
export const JAEGER_VERSION = '1.76.0';
const NAME = 'jaeger';
const READY_TIMEOUT_MS = 60_000;

/** Ports, paths and URLs of the trace backend, from TRIBUTARY_JAEGER_* and the stack's directories. */
export function jaegerConfig(env = process.env) {
  const cfg = stackConfig(env);
  const otlpPort = parsePort(env.TRIBUTARY_JAEGER_OTLP_PORT, 'TRIBUTARY_JAEGER_OTLP_PORT', 4318);
  const uiPort = parsePort(env.TRIBUTARY_JAEGER_UI_PORT, 'TRIBUTARY_JAEGER_UI_PORT', 16686);
  const grpcPort = parsePort(env.TRIBUTARY_JAEGER_QUERY_GRPC_PORT, 'TRIBUTARY_JAEGER_QUERY_GRPC_PORT', 16685);
  const taken = [cfg.kafka.port, cfg.kafka.controllerPort, cfg.registry.port, cfg.ferretdb.port];
  const ports = [
    ['TRIBUTARY_JAEGER_OTLP_PORT', otlpPort],
    ['TRIBUTARY_JAEGER_UI_PORT', uiPort],
    ['TRIBUTARY_JAEGER_QUERY_GRPC_PORT', grpcPort],
  ];
  for (const [name, port] of ports) {
    if (taken.includes(port) || ports.filter(([, other]) => other === port).length > 1) {
      throw new StackError(`${name} is ${port}, a port another server of the stack uses: choose another`);
    }
  }
  const assets = (env.TRIBUTARY_JAEGER_UI_ASSETS ?? '').trim();
  const home = path.join(cfg.stackDir, `jaeger-${JAEGER_VERSION}`);
  return {
    stack: cfg,
    version: JAEGER_VERSION,
    otlpPort,
    uiPort,
    grpcPort,
    /** What the services' OTEL_EXPORTER_OTLP_ENDPOINT takes. */
    otlpEndpoint: `http://${HOST}:${otlpPort}`,
    uiUrl: `http://${HOST}:${uiPort}`,
    /** A directory with a built Jaeger UI (the Go module carries none), or undefined. */
    uiAssets: assets === '' ? undefined : path.resolve(assets),
    readyTimeoutMs: readyTimeoutMs(env, READY_TIMEOUT_MS),
    home,
    binary: path.join(home, 'jaeger'),
    sourceDir: path.join(STACK_SRC, 'jaeger'),
    configFile: path.join(cfg.confDir, 'jaeger.yaml'),
    logFile: path.join(cfg.logsDir, `${NAME}.log`),
    setupLog: path.join(cfg.logsDir, `setup-${NAME}.log`),
  };
}

/**
 * Jaeger's configuration (an OpenTelemetry Collector pipeline): OTLP over HTTP in, in-memory storage
 * (traces are gone when it stops), the query service on 127.0.0.1, no self-telemetry ports.
 */
export function renderJaegerConfig(c) {
  return `# Written by scripts/stack/jaeger.mjs at each start.
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${HOST}:${c.uiPort}
    grpc:
      endpoint: ${HOST}:${c.grpcPort}
${c.uiAssets ? `    ui:\n      assets_path: ${JSON.stringify(c.uiAssets)}\n` : ''}receivers:
  otlp:
    protocols:
      http:
        endpoint: ${HOST}:${c.otlpPort}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** True when Jaeger's query API on 127.0.0.1:port answers. */
export async function jaegerReady(port, timeoutMs = 2_000) {
  try {
    const res = await fetch(`http://${HOST}:${port}/api/services`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

const sourceHash = (c) => sha256Files(['go.mod', 'go.sum'].map((f) => path.join(c.sourceDir, f)));

function built(c) {
  return readText(`${c.binary}.sha256`)?.trim() === sourceHash(c) && fs.existsSync(c.binary);
}

async function build(c, log) {
  const problem = checkTool('go');
  if (problem) throw new StackError(problem.replace('to build FerretDB', 'to build Jaeger'));
  log(
    `${NAME}: building Jaeger v2 (module ${JAEGER_VERSION}) with Go (first run only; several minutes and ~1 GB of modules with a cold Go cache)…`,
  );
  const started = Date.now();
  mkdirs(c.home, path.dirname(c.setupLog));
  const partial = `${c.binary}.partial`;
  const code = await runLogged(
    'go',
    [
      'build',
      '-mod=readonly',
      '-buildvcs=false',
      '-o',
      partial,
      'github.com/jaegertracing/jaeger/cmd/jaeger',
    ],
    { cwd: c.sourceDir, logFile: c.setupLog },
  );
  if (code !== 0) throw setupFailure(`${NAME}: go build`, code, c.setupLog);
  fs.renameSync(partial, c.binary);
  fs.writeFileSync(`${c.binary}.sha256`, `${sourceHash(c)}\n`);
  log(`${NAME}: built in ${seconds(Date.now() - started)}`);
}

function waitReady(c, pid, fingerprint, logOffset) {
  return waitUntilReady({
    name: NAME,
    ready: () => jaegerReady(c.uiPort),
    pid,
    fingerprint,
    logFile: c.logFile,
    logOffset,
    timeoutMs: c.readyTimeoutMs,
  });
}

/**
 * Builds Jaeger on first use, starts it unless ours already runs, and waits until its query API answers.
 * Resolves with jaegerConfig() (`otlpEndpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes, `uiUrl` the
 * UI and query API); throws StackError when it cannot be built or started.
 */
export async function jaegerUp({ env = process.env, log, quiet = false } = {}) {
  log = log ?? (quiet ? () => {} : (line) => console.log(line));
  const c = jaegerConfig(env);
  const release = await acquireLock(c.stack, log);
  try {
    const running = liveRecord(c.stack, NAME);
    if (running && running.port === c.uiPort && running.otlpPort === c.otlpPort) {
      await waitReady(c, running.pid, running.fingerprint, 0);
      log(`${NAME}: already running (pid ${running.pid}) at ${c.uiUrl}`);
      return c;
    }
    if (running) {
      throw new StackError(
        `${NAME} is running (pid ${running.pid}) on other ports: run \`node scripts/stack.mjs down\` first`,
      );
    }
    if (readPidFile(NAME, c.stack)) removePidFile(c.stack, NAME);
    if (!built(c)) await build(c, log);
    for (const [port, what, variable] of [
      [c.otlpPort, 'Jaeger OTLP receiver', 'TRIBUTARY_JAEGER_OTLP_PORT'],
      [c.uiPort, 'Jaeger query API and UI', 'TRIBUTARY_JAEGER_UI_PORT'],
      [c.grpcPort, 'Jaeger query gRPC API', 'TRIBUTARY_JAEGER_QUERY_GRPC_PORT'],
    ]) {
      if (!(await isPortFree(port))) {
        throw new StackError(
          `port ${port} (${what}) is already in use by another process: stop it or set ${variable}`,
        );
      }
    }
    mkdirs(path.dirname(c.configFile));
    fs.writeFileSync(c.configFile, renderJaegerConfig(c));
    const started = Date.now();
    const { pid, fingerprint, logOffset } = await startProcess(
      {
        name: NAME,
        command: c.binary,
        args: ['--config', c.configFile],
        cwd: c.home,
        logFile: c.logFile,
        meta: { port: c.uiPort, otlpPort: c.otlpPort },
      },
      c.stack,
    );
    log(`${NAME}: starting Jaeger v2 (module ${JAEGER_VERSION}, pid ${pid})…`);
    try {
      await waitReady(c, pid, fingerprint, logOffset);
    } catch (error) {
      await stopProcess(NAME, {}, c.stack);
      throw error;
    }
    log(
      `${NAME}: ready in ${seconds(Date.now() - started)}: OTLP at ${c.otlpEndpoint}, traces at ${c.uiUrl}`,
    );
    return c;
  } finally {
    release();
  }
}

#!/usr/bin/env node
// `npm start`: brings the local stack up, builds the four services, loads the sample data when the
// store is empty, starts the services in the background and waits until each reports ready.
// `npm stop` stops them and the stack. `npm start -- --with-tracing` (or TRIBUTARY_TRACING=jaeger) also
// starts Jaeger and has the services export their spans to it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, buildApps } from './build.mjs';
import { ROOT } from './bundle.mjs';
import { isRunning, jaegerUp, stackConfig, startProcess, stopProcess, tailLines, up } from './stack.mjs';

const DEFAULT_PORTS = {
  gateway: 3000,
  'planner-agent': 3001,
  'research-agent': 3002,
  'reviewer-agent': 3003,
};
const READY_TIMEOUT_MS = 90_000;

function portOf(app) {
  const variable = `TRIBUTARY_${app.replace(/-agent$/, '').toUpperCase()}_PORT`;
  return Number(process.env[variable] ?? DEFAULT_PORTS[app]);
}

async function waitReady(app, port, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isRunning(app)) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, {
        signal: AbortSignal.timeout(3_000),
      });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const tail = tailLines(logFile, 30);
  throw new Error(
    `${app} did not become ready on port ${port} (${last}); last log lines of ${logFile}:\n${tail.join('\n')}`,
  );
}

const USAGE = 'usage: npm start [-- --with-tracing]';

function wantsTracing(argv, env) {
  const unknown = argv.filter((arg) => arg !== '--with-tracing');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  const variable = (env.TRIBUTARY_TRACING ?? '').trim().toLowerCase();
  if (!['', 'jaeger', 'off'].includes(variable))
    throw new Error(`TRIBUTARY_TRACING must be jaeger or off, got "${env.TRIBUTARY_TRACING}"`);
  return argv.includes('--with-tracing') || variable === 'jaeger';
}

async function main() {
  const tracing = wantsTracing(process.argv.slice(2), process.env);
  await up({ log: (line) => console.log(line) });
  // The services read OTEL_EXPORTER_OTLP_ENDPOINT at start-up: tracing is on exactly when it is set.
  const jaeger = tracing ? await jaegerUp({ log: (line) => console.log(line) }) : undefined;
  const serviceEnv = jaeger ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint } : {};
  const cfg = stackConfig();
  console.log(`services: building ${APPS.join(', ')}…`);
  const ms = await buildApps();
  console.log(`services: built in ${ms} ms`);

  const loader = join(ROOT, 'dist', 'tools', 'load-data.cjs');
  if (existsSync(loader)) {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [loader, '--if-empty'], { stdio: 'inherit', cwd: ROOT });
    if (result.status !== 0) throw new Error('loading the sample catalogue and profiles failed (see above)');
  }

  const started = [];
  try {
    for (const app of APPS) {
      if (isRunning(app)) {
        console.log(
          `${app}: already running${jaeger ? ' (started before; `npm stop` first to have it export spans)' : ''}`,
        );
        continue;
      }
      const port = portOf(app);
      const info = await startProcess({
        name: app,
        command: process.execPath,
        args: ['--enable-source-maps', join(ROOT, 'dist', app, 'main.cjs')],
        cwd: ROOT,
        env: serviceEnv,
        meta: { port },
      });
      started.push({ app, port, logFile: info.logFile });
      console.log(`${app}: started (pid ${info.pid}), log ${info.logFile}`);
    }
    await Promise.all(started.map(({ app, port, logFile }) => waitReady(app, port, logFile)));
  } catch (error) {
    for (const { app } of started.reverse()) await stopProcess(app);
    throw error;
  }

  const gateway = `http://127.0.0.1:${portOf('gateway')}`;
  console.log('');
  console.log(`Tributary is running. Gateway: ${gateway}  (API docs: ${gateway}/docs)`);
  console.log(
    `Kafka ${cfg.kafka.bootstrapServers} · registry ${cfg.registry.url} · MongoDB ${cfg.ferretdb.url}`,
  );
  if (jaeger) {
    console.log(
      `Traces: ${jaeger.uiUrl}  (Jaeger: find a task by the tag tributary.task.id=<task id>; docs/observability.md)`,
    );
  } else if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    console.log(`Traces: exported to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  }
  console.log(`Logs: ${cfg.logsDir}   Try: npm run demo   Stop everything: npm stop`);
}

main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

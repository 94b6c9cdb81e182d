// Apicurio Registry 2.6.13.Final with its Confluent-compatible API (/apis/ccompat/v7), from the
// self-contained Quarkus archive on Maven Central.
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
import { javaCommand, mavenCopy, runLogged, setupFailure } from './tools.mjs';

const VERSION = '2.6.13.Final';

/** True when the registry on 127.0.0.1:port answers GET /apis/ccompat/v7/subjects with 200. */
export async function registryReady(port, timeoutMs = 2_000) {
  try {
    const res = await fetch(`http://${HOST}:${port}/apis/ccompat/v7/subjects`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

export const registry = {
  name: 'registry',
  label: 'schema registry',
  version: VERSION,
  java: true,
  readyTimeoutMs: 180_000,
  readyPollMs: 250,

  configure(env, { stackDir, dataDir, logsDir }) {
    const port = parsePort(env.TRIBUTARY_REGISTRY_PORT, 'TRIBUTARY_REGISTRY_PORT', 8081);
    const home = path.join(stackDir, `apicurio-registry-${VERSION}`);
    const baseUrl = `http://${HOST}:${port}`;
    return {
      readyTimeoutMs: readyTimeoutMs(env, this.readyTimeoutMs),
      version: VERSION,
      port,
      baseUrl,
      /** What Confluent clients (e.g. @kafkajs/confluent-schema-registry) take as `host`. */
      url: `${baseUrl}/apis/ccompat/v7`,
      home,
      appDir: path.join(home, 'app'),
      runnerJar: path.join(home, 'app', `apicurio-registry-app-${VERSION}-runner.jar`),
      dataDir: path.join(dataDir, 'registry'),
      pom: path.join(STACK_SRC, 'registry', 'pom.xml'),
      logFile: path.join(logsDir, 'registry.log'),
    };
  },

  ports: (c) => [{ port: c.registry.port, what: 'schema registry', env: 'TRIBUTARY_REGISTRY_PORT' }],

  address: (c) => c.registry.url,

  /** 'mvn' while the app for the current pom is missing, else null. */
  setupTool(c) {
    const marker = readText(path.join(c.registry.appDir, '.complete'));
    return marker?.trim() === sha256Files([c.registry.pom]) && fs.existsSync(c.registry.runnerJar)
      ? null
      : 'mvn';
  },

  async setup(c, log) {
    const logFile = path.join(c.logsDir, 'setup-registry.log');
    log(`registry: fetching Apicurio Registry ${VERSION} with Maven (first run only, ~140 MB)…`);
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
};

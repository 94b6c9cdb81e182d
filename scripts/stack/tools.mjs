// The external tools the stack runs: Java (Kafka and the registry), Maven (their downloads) and Go
// (the FerretDB build), with the one-line pre-flight checks that name what is missing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StackError, commandOutput, mkdirs, tailLines } from './common.mjs';

const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.7.1';

/** Runs a command to completion with output appended to `logFile`; resolves with the exit code. */
export function runLogged(command, args, { cwd, env, logFile }) {
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

/** A failed download or build step, with the tail of the log that holds its output. */
export function setupFailure(what, code, logFile) {
  return new StackError(`${what} failed (exit ${code}); see ${logFile}`, tailLines(logFile, 15));
}

/** Copies the dependencies a `pom` packaging POM declares into `outputDir` (Maven's ~/.m2 caches them). */
export function mavenCopy(pom, outputDir, logFile, extra = []) {
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

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set and has one, else `java` from PATH. */
export function javaCommand(env = process.env) {
  const home = env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

/** Major Java version from `java -version` output ("1.8.0_392" → 8, "17.0.15" → 17), or null. */
export function parseJavaMajor(text) {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(text);
  if (!m) return null;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** null when Java 17 or newer runs, else the one-line problem. */
export function checkJava() {
  const out = commandOutput(javaCommand(), ['-version']);
  const major = out ? parseJavaMajor(out) : null;
  if (major === null || major < 17) {
    const found = major === null ? '' : ` (found Java ${major})`;
    return `Java 17 or newer is required for Kafka and the schema registry${found}: install openjdk-17-jre-headless (apt) or set JAVA_HOME`;
  }
  return null;
}

/** null when the setup tool (`mvn` or `go`) runs, else the one-line problem. */
export function checkTool(tool) {
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

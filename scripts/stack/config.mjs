// The stack's configuration: which servers it runs, and their ports, URLs and paths from the
// TRIBUTARY_* environment variables. Each server module describes its own part.
import os from 'node:os';
import path from 'node:path';
import { HOST, StackError } from './common.mjs';
import { ferretdb } from './ferretdb.mjs';
import { kafka } from './kafka.mjs';
import { registry } from './registry.mjs';

/** The infrastructure servers by name, in the order they are reported. */
export const SERVER_MODULES = Object.freeze({ kafka, registry, ferretdb });

/** The infrastructure servers' names, in the order they are reported. */
export const SERVERS = Object.freeze(Object.keys(SERVER_MODULES));

export const VERSIONS = Object.freeze(
  Object.fromEntries(Object.values(SERVER_MODULES).map((s) => [s.name, s.version])),
);

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
  const stackDir = resolveStackDir(env.TRIBUTARY_STACK_DIR);
  const runDir = path.join(stackDir, 'run');
  const dirs = {
    stackDir,
    runDir,
    logsDir: path.join(runDir, 'logs'),
    pidsDir: path.join(runDir, 'pids'),
    dataDir: path.join(runDir, 'data'),
    confDir: path.join(runDir, 'conf'),
    tmpDir: path.join(runDir, 'tmp'),
  };
  const cfg = { host: HOST, ...dirs };
  for (const server of Object.values(SERVER_MODULES)) cfg[server.name] = server.configure(env, dirs);

  const ports = Object.values(SERVER_MODULES).flatMap((server) => server.ports(cfg));
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i].port === ports[j].port) {
        throw new StackError(
          `${ports[i].env} and ${ports[j].env} are both ${ports[i].port}: each server needs its own port`,
        );
      }
    }
  }
  return cfg;
}

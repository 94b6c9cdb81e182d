import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/services';
import { sleep } from './stats';

const REDIS = '/usr/bin/redis-server';

export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.end();
        resolve(answer.startsWith('+PONG'));
      }
    });
  });
}

/** Finds redis-server, installing Debian's package when running as root; undefined (with why) otherwise. */
export function findRedis(log: (line: string) => void): string | undefined {
  if (existsSync(REDIS)) return REDIS;
  if (process.getuid?.() === 0) {
    log('redis-server is missing; trying apt-get install -y redis-server');
    const result = spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'ignore' });
    if (result.status === 0 && existsSync(REDIS)) return REDIS;
  }
  return undefined;
}

/** A throwaway redis-server on a free loopback port, no persistence, data in a temp dir. */
export async function startRedis(binary: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (gone || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not answer on port ${port}`);
    }
    await sleep(50);
  }
  return {
    port,
    pid: child.pid as number,
    stop: async () => {
      if (!gone) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(forced);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The accept path: POST /v1/tasks under autocannon, against the gateway and against a bare Node
 * HTTP server (bench/bare-server.ts) that only parses the body and does the same Kafka produce
 * (EventProducer.emit of a task.requested value, Avro through the registry, acks from all replicas).
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { waitFor } from '../../test/support/wait';
import { taskBody } from './e2e';
import { loadBundler } from './project';

export interface AcceptFigures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly statusCodes: Record<string, number>;
}

export async function hammer(
  url: string,
  options: { connections: number; durationS: number; warmupS: number },
): Promise<AcceptFigures> {
  const common = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(taskBody(1)),
    connections: options.connections,
    pipelining: 1,
    timeout: 20,
  };
  if (options.warmupS > 0) await autocannon({ ...common, duration: options.warmupS });
  const result = await autocannon({ ...common, duration: options.durationS });
  return {
    perSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    requests: result.requests.sent,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
  };
}

export interface BareServer {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Bundles and starts bench/bare-server.ts; resolves once it listens. */
export async function startBareServer(root: string, env: Record<string, string>): Promise<BareServer> {
  const bundler = await loadBundler(root);
  const file = await bundler.bundle(
    'bench/bare-server.ts',
    bundler.scratchBundlePath('bench/bare-server.ts'),
  );
  const child = spawn(process.execPath, ['--enable-source-maps', file], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const match = await waitFor(
    () => {
      if (gone) throw new Error(`bare server exited:\n${output}`);
      return /listening on (http:\/\/\S+)/.exec(output);
    },
    { timeoutMs: 60_000, intervalMs: 50, description: 'the bare server to listen' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url: match[1] as string,
    pid: child.pid,
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

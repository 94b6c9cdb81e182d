import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait';

export const SERVICE_NAMES = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A function: this module is also bundled into child processes, where import.meta is empty. */
function root(): string {
  return fileURLToPath(new URL('../..', import.meta.url));
}

/** A port the OS says is free right now on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function portVariable(name: ServiceName): string {
  return `TRIBUTARY_${name.replace(/-agent$/, '').toUpperCase()}_PORT`;
}

export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<void>;
}

/**
 * The built services (dist/<name>/main.cjs, see scripts/build.mjs) as child processes of the test,
 * each on a free port, with extra environment. Stopped by pid, SIGTERM then SIGKILL.
 */
export class Services {
  private readonly running = new Map<ServiceName, RunningService>();
  private readonly ports = new Map<ServiceName, number>();

  constructor(private readonly env: Record<string, string>) {}

  get(name: ServiceName): RunningService {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.get(name).port}`;
  }

  async start(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<RunningService> {
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const child = spawn(process.execPath, ['--enable-source-maps', join(root(), 'dist', name, 'main.cjs')], {
      cwd: root(),
      env: { ...process.env, ...this.env, ...extraEnv, [portVariable(name)]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const service: RunningService = { name, port, child, output: () => output, exited };
    this.running.set(name, service);
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor(
      async () => {
        if (gone) throw new Error(`${name} exited during start-up:\n${output}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        });
        return res.ok;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: `${name} ready on port ${port}` },
    ).catch((error: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${name} printed:\n${output}`,
      );
    });
    return service;
  }

  /** SIGKILL: no shutdown hook runs, nothing is drained or committed. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.get(name);
    service.child.kill('SIGKILL');
    await service.exited;
    this.running.delete(name);
  }

  /** SIGTERM: the service drains and commits, as in a rolling restart; SIGKILL after 20 s. */
  async stop(name: ServiceName): Promise<void> {
    const service = this.get(name);
    service.child.kill('SIGTERM');
    const forced = setTimeout(() => service.child.kill('SIGKILL'), 20_000);
    await service.exited;
    clearTimeout(forced);
    this.running.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
  }
}

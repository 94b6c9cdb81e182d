/**
 * The four built services (dist/<name>/main.cjs) as child processes of the bench, each on a free
 * port with the run's environment, output to a log file in the results folder. Stopped by pid
 * (SIGTERM, then SIGKILL after 20 s). RSS is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../test/support/wait';
import { freePort, type ServiceName } from '../../test/support/services';

export { SERVICE_NAMES, type ServiceName } from '../../test/support/services';
export const AGENTS = ['planner-agent', 'research-agent', 'reviewer-agent'] as const;

function portVariable(name: ServiceName): string {
  return `TRIBUTARY_${name.replace(/-agent$/, '').toUpperCase()}_PORT`;
}

interface Running {
  readonly name: ServiceName;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** Resident set size of a process in MB, from /proc (undefined when it is gone). */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class ServiceSet {
  private readonly running = new Map<ServiceName, Running>();
  private readonly ports = new Map<ServiceName, number>();
  private generation = 0;
  /** Every process started, for matching CPU profiles (named by pid) to services. */
  readonly started: { name: ServiceName; pid: number | undefined; generation: number }[] = [];

  constructor(
    private readonly root: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  port(name: ServiceName): number {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service.port;
  }

  pid(name: ServiceName): number | undefined {
    return this.running.get(name)?.child.pid;
  }

  names(): ServiceName[] {
    return [...this.running.keys()];
  }

  /** Starts the services in parallel and waits until each answers /health/ready. */
  async start(names: readonly ServiceName[], extraEnv: Record<string, string> = {}): Promise<void> {
    this.generation += 1;
    await Promise.all(names.map((name) => this.startOne(name, extraEnv)));
  }

  private async startOne(name: ServiceName, extraEnv: Record<string, string>): Promise<void> {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const logFile = join(this.logDir, `${name}.${this.generation}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', ...this.nodeArgs, join(this.root, 'dist', name, 'main.cjs')],
      {
        cwd: this.root,
        env: { ...process.env, ...this.env, ...extraEnv, [portVariable(name)]: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<void>((resolve) =>
      child.on('exit', () => {
        log.end();
        resolve();
      }),
    );
    let gone = false;
    void exited.then(() => (gone = true));
    this.running.set(name, { name, port, child, exited });
    this.started.push({ name, pid: child.pid, generation: this.generation });
    await waitFor(
      async () => {
        if (gone) throw new Error(`${name} exited during start-up; see ${logFile}`);
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        });
        return res.ok;
      },
      { timeoutMs: 90_000, intervalMs: 100, description: `${name} ready on port ${port} (log: ${logFile})` },
    );
  }

  async stop(names: readonly ServiceName[] = this.names()): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const service = this.running.get(name);
        if (!service) return;
        service.child.kill('SIGTERM');
        const forced = setTimeout(() => service.child.kill('SIGKILL'), 20_000);
        await service.exited;
        clearTimeout(forced);
        this.running.delete(name);
      }),
    );
  }

  /** SIGKILL: a crash, with no shutdown hook; `start` brings the service back on the same port. */
  async kill(name: ServiceName): Promise<void> {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    service.child.kill('SIGKILL');
    await service.exited;
    this.running.delete(name);
  }

  rss(): Partial<Record<ServiceName, number>> {
    const out: Partial<Record<ServiceName, number>> = {};
    for (const [name, service] of this.running) {
      const mb = rssMb(service.child.pid);
      if (mb !== undefined) out[name] = mb;
    }
    return out;
  }
}

/** Samples every running service's RSS on an interval; peak and mean per service. */
export class RssSampler {
  private readonly samples = new Map<ServiceName, number[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly services: ServiceSet) {}

  start(intervalMs = 500): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  stop(): Partial<Record<ServiceName, { peak: number; mean: number }>> {
    clearInterval(this.timer);
    this.sample();
    const out: Partial<Record<ServiceName, { peak: number; mean: number }>> = {};
    for (const [name, values] of this.samples) {
      out[name] = {
        peak: Math.max(...values),
        mean: values.reduce((a, b) => a + b, 0) / values.length,
      };
    }
    return out;
  }

  private sample(): void {
    for (const [name, mb] of Object.entries(this.services.rss()) as [ServiceName, number][]) {
      const list = this.samples.get(name) ?? [];
      list.push(mb);
      this.samples.set(name, list);
    }
  }
}

/** CPU time (user + system) of a process in seconds, from /proc (undefined when it is gone). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU used by a set of processes over a phase: CPU seconds per process, and the phase's length. */
export interface PhaseCpu {
  readonly wallSeconds: number;
  readonly cpuSeconds: Readonly<Record<string, number>>;
}

/** A phase's CPU use per process in % of one core. */
export function percentOfOneCore(phase: PhaseCpu): Record<string, number> {
  return Object.fromEntries(
    Object.entries(phase.cpuSeconds).map(([name, s]) => [name, (s / phase.wallSeconds) * 100]),
  );
}

/** Measures the CPU a set of processes uses over a phase (processes present at both ends). */
export class CpuMeter {
  private start = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(): this {
    this.startedAt = performance.now();
    this.start = new Map();
    for (const [name, pid] of Object.entries(this.pids())) {
      const s = cpuSeconds(pid);
      if (s !== undefined) this.start.set(name, s);
    }
    return this;
  }

  end(): PhaseCpu {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const used: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const before = this.start.get(name);
      const after = cpuSeconds(pid);
      if (before !== undefined && after !== undefined && wallSeconds > 0) used[name] = after - before;
    }
    return { wallSeconds, cpuSeconds: used };
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { agentEnvironment, REPLAY_AGENTS, type ReplayAgent } from '@tributary/config';
import { type CliHost } from '../host';

/** An agent process a replay started: the current code, configured for the replay's namespace. */
interface Started {
  readonly agent: ReplayAgent;
  readonly child: ChildProcess;
  readonly port: number;
  readonly log: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stream: WriteStream;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port on 127.0.0.1');
  return address.port;
}

/** Signals the process group the child leads (see `detached` below); the child alone if that fails. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, signal);
      return;
    }
  } catch {
    // The group is gone, or never was: fall back to the child itself.
  }
  child.kill(signal);
}

/**
 * The three agents of a replay as child processes of the command (the apps stay apart: they are
 * started, not imported), each with the environment of the command plus `env` and its own `--set`
 * values, health on a free loopback port, output to a log file per agent. Stopped by pid: SIGTERM
 * (they drain and commit), then SIGKILL after a while.
 */
export class AgentProcesses {
  private readonly started: Started[] = [];

  constructor(
    private readonly host: CliHost,
    private readonly logDirectory: string,
  ) {}

  /** Starts every agent and resolves when all answer ready; rejects (naming the log) if one exits or times out. */
  async start(
    env: Readonly<Record<string, string>>,
    perAgent: Readonly<Record<ReplayAgent, Readonly<Record<string, string>>>>,
    signal: AbortSignal,
    timeoutMs = 180_000,
  ): Promise<void> {
    mkdirSync(this.logDirectory, { recursive: true });
    for (const agent of Object.keys(REPLAY_AGENTS) as ReplayAgent[]) {
      const service = REPLAY_AGENTS[agent];
      const port = await freePort();
      const log = join(this.logDirectory, `${service}.log`);
      const stream = createWriteStream(log, { flags: 'a' });
      const [command, ...args] = this.host.toolCommand(service);
      const child = spawn(process.execPath, [command!, ...args], {
        env: agentEnvironment({
          ...env,
          ...perAgent[agent],
          TRIBUTARY_HTTP_HOST: '127.0.0.1',
          [`TRIBUTARY_${agent.toUpperCase()}_PORT`]: String(port),
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: run from source, the agent is a wrapper and its child, and SIGKILL must
        // reach both (to the wrapper alone it would leave the agent running).
        detached: true,
      });
      child.stdout?.pipe(stream, { end: false });
      child.stderr?.pipe(stream, { end: false });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
      );
      this.started.push({ agent, child, port, log, exited, stream });
    }
    await Promise.all(this.started.map((agent) => this.ready(agent, signal, timeoutMs)));
  }

  /** The log files, by agent. */
  logs(): Record<string, string> {
    return Object.fromEntries(this.started.map((s) => [REPLAY_AGENTS[s.agent], s.log]));
  }

  /** Rejects when an agent exits before `stop()`: a replay cannot go on without it. */
  whenOneExits(): Promise<never> {
    return Promise.race(
      this.started.map((s) =>
        s.exited.then(({ code, signal }) => {
          throw new Error(
            `${REPLAY_AGENTS[s.agent]} exited (${signal ?? `code ${code}`}) during the replay; see ${s.log}`,
          );
        }),
      ),
    );
  }

  /** SIGTERM to each agent still running, SIGKILL after `graceMs`; resolves when all have exited. */
  async stop(graceMs = 30_000): Promise<void> {
    await Promise.all(
      this.started.map(async (s) => {
        if (s.child.exitCode === null && s.child.signalCode === null) {
          // The child alone: run from source, its wrapper passes SIGTERM on (a second one would cut the drain short).
          s.child.kill('SIGTERM');
          const forced = setTimeout(() => signalGroup(s.child, 'SIGKILL'), graceMs);
          await s.exited;
          clearTimeout(forced);
        }
        s.stream.end();
      }),
    );
  }

  private async ready(agent: Started, signal: AbortSignal, timeoutMs: number): Promise<void> {
    const service = REPLAY_AGENTS[agent.agent];
    const deadline = Date.now() + timeoutMs;
    let gone: string | undefined;
    void agent.exited.then(({ code, signal: s }) => (gone = s ?? `code ${code}`));
    for (;;) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
      if (gone !== undefined) throw new Error(`${service} exited (${gone}) while starting; see ${agent.log}`);
      if (Date.now() > deadline)
        throw new Error(`${service} was not ready within ${timeoutMs / 1000} s; see ${agent.log}`);
      try {
        const res = await fetch(`http://127.0.0.1:${agent.port}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

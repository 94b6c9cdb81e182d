import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of a real server (the store, the broker, the registry) that a test can
 * freeze or cut, so one test can play a dependency's outage without stopping the server other
 * tests share.
 *
 * - `freeze()`: connections stay open and nothing passes in either direction, new connections are
 *   accepted and hang (a server that stopped answering: SIGSTOP, a full disk, a network partition);
 * - `cut()`: every connection is reset and new ones are refused until `restore()` (a server down);
 * - `restore()`: traffic flows again; bytes held while frozen are delivered in order.
 */
export interface FaultProxy {
  /** `host:port` to give the client instead of the real server's address. */
  readonly address: string;
  readonly port: number;
  freeze(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

type Mode = 'open' | 'frozen' | 'cut';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: Mode = 'open';
  const pairs = new Set<Pair>();

  const link = (client: Socket): void => {
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (mode === 'frozen') hold(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  };

  const server: Server = createServer((client) => {
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    link(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  function hold(pair: Pair): void {
    pair.client.pause();
    pair.upstream.pause();
  }

  return {
    address: `127.0.0.1:${port}`,
    port,
    freeze() {
      mode = 'frozen';
      for (const pair of pairs) hold(pair);
    },
    cut() {
      mode = 'cut';
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      mode = 'open';
      for (const pair of pairs) {
        pair.client.resume();
        pair.upstream.resume();
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

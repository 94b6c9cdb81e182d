/**
 * A MongoDB wire-protocol proxy that counts and times the commands passing through it, for
 * finding out what a service asks its store (`bench/run.ts --mongo-trace` puts it in front of the
 * gateway). It reads only message headers and the first key of each OP_MSG body (the command name,
 * whose value is the collection), and matches answers to requests by id. Diagnostics: it adds a
 * hop of its own, so figures measured through it are not the headline ones.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { epochMs, summarize, type Summary } from './stats';

const OP_MSG = 2013;

interface Pending {
  readonly key: string;
  readonly bytes: number;
  readonly at: number;
}

export interface CommandFigures {
  readonly command: string;
  readonly count: number;
  /** Answers that left a server-side cursor open (cursor id ≠ 0): each needs a getMore to exhaustion or a killCursors. */
  readonly cursorsLeftOpen: number;
  readonly totalMs: number;
  readonly latency: Summary;
  readonly meanBytes: number;
}

/** The command name and, when it is a string, its value (the collection) of an OP_MSG message. */
function describe(message: Buffer): string {
  const opCode = message.readInt32LE(12);
  if (opCode !== OP_MSG) return `opcode ${opCode}`;
  let offset = 20; // header (16) + flagBits (4)
  while (offset < message.length) {
    const kind = message[offset];
    offset += 1;
    if (kind === 1) {
      offset += message.readInt32LE(offset);
      continue;
    }
    // kind 0: one BSON document; its first element is the command.
    const type = message[offset + 4];
    const nameStart = offset + 5;
    const nameEnd = message.indexOf(0, nameStart);
    const name = message.toString('utf8', nameStart, nameEnd);
    if (type === 0x02) {
      const length = message.readInt32LE(nameEnd + 1);
      const value = message.toString('utf8', nameEnd + 5, nameEnd + 5 + length - 1);
      return `${name} ${value}`;
    }
    return name;
  }
  return 'unknown';
}

const CURSOR_ID = Buffer.from([0x12, 0x69, 0x64, 0x00]); // int64 element named "id"

/** Whether an answer carries a cursor whose id is not 0 (the server keeps it open). */
function opensCursor(message: Buffer): boolean {
  const at = message.indexOf(CURSOR_ID, 21);
  return at >= 0 && at + 12 <= message.length && message.readBigInt64LE(at + 4) !== 0n;
}

/** Splits a byte stream into wire-protocol messages (each starts with its int32 length). */
class Framer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readInt32LE(0);
      if (this.buffer.length < length) return;
      this.onMessage(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
    }
  }
}

export class MongoTrace {
  private readonly samples = new Map<string, { ms: number[]; bytes: number; open: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly waiting = new Set<Pending>();
  private recording = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards every connection to `upstreamPort`. */
  static async start(upstreamPort: number): Promise<MongoTrace> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const trace = new MongoTrace(server, address.port);
    server.on('connection', (client) => trace.relay(client, upstreamPort));
    return trace;
  }

  /** Counts only between start and stop (the connection keeps flowing either way). */
  record(on: boolean): void {
    this.recording = on;
  }

  /** Commands sent and not answered yet, oldest first, with their age in ms. */
  unanswered(): { command: string; ageMs: number }[] {
    const now = epochMs();
    return [...this.waiting].sort((a, b) => a.at - b.at).map((p) => ({ command: p.key, ageMs: now - p.at }));
  }

  reset(): void {
    this.samples.clear();
  }

  figures(): CommandFigures[] {
    return [...this.samples]
      .map(([command, { ms, bytes, open }]) => ({
        command,
        count: ms.length,
        cursorsLeftOpen: open,
        totalMs: ms.reduce((a, b) => a + b, 0),
        latency: summarize(ms),
        meanBytes: ms.length === 0 ? 0 : bytes / ms.length,
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, upstreamPort: number): void {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const pending = new Map<number, Pending>();
    const requests = new Framer((message) => {
      if (this.recording) {
        const request = { key: describe(message), bytes: message.length, at: epochMs() };
        pending.set(message.readInt32LE(4), request);
        this.waiting.add(request);
      }
      upstream.write(message);
    });
    const answers = new Framer((message) => {
      const request = pending.get(message.readInt32LE(8));
      if (request) {
        pending.delete(message.readInt32LE(8));
        this.waiting.delete(request);
        const entry = this.samples.get(request.key) ?? { ms: [], bytes: 0, open: 0 };
        entry.ms.push(epochMs() - request.at);
        entry.bytes += request.bytes;
        if (opensCursor(message)) entry.open += 1;
        this.samples.set(request.key, entry);
      }
      client.write(message);
    });
    client.on('data', (chunk: Buffer) => requests.push(chunk));
    upstream.on('data', (chunk: Buffer) => answers.push(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  }
}

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

/**
 * An OpenAI-compatible chat-completions server that answers after a fixed delay, for end-to-end
 * tests and benchmarks of slow LLM work. Its answers are plausible for Tributary's three calls,
 * recognised by the JSON-schema name the adapter sends: a plan built from the request's words,
 * a draft choosing the first allowed candidate ids, and an approving review. It counts every
 * request and every completed answer per prompt, so tests can tell a repeated call from a resumed one.
 */
export interface LlmSimulatorOptions {
  /** How long each answer takes; a function may slow some prompts down more than others. */
  readonly delayMs: number | ((prompt: string) => number);
  readonly port?: number;
  /**
   * Which candidates a draft picks, from the draft prompt's user message, the allowed ids (best
   * first, as the adapter lists them) and how many are wanted; by default the first allowed ids.
   */
  readonly choose?: (prompt: string, allowedIds: readonly string[], wanted: number) => string[];
  /** The score a review gives, from the review prompt's user message; 0.9 by default. */
  readonly reviewScore?: (prompt: string) => number;
}

interface ChatBody {
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema?: unknown } };
}

export class LlmSimulator {
  /** Requests received, per JSON-schema name. */
  readonly received = new Map<string, number>();
  /** Requests received, per prompt hash. */
  readonly requested = new Map<string, number>();
  /** Answers fully sent, per prompt hash. */
  readonly completed = new Map<string, number>();
  /** The JSON-schema name (which call it is) of every prompt seen, per prompt hash. */
  readonly names = new Map<string, string>();
  /** Prompts being answered right now. */
  readonly inFlight = new Set<string>();
  /** Requests whose client went away before the answer (an aborted call). */
  aborted = 0;
  /** Requests being read or answered now, counted from their first byte (before they are parsed). */
  open = 0;
  private readonly sockets = new Set<Socket>();

  /**
   * Client connections open now. Once a client's connections have all closed, every byte it sent
   * has been read (a connection closes after the data sent before its end).
   */
  get connections(): number {
    return this.sockets.size;
  }

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: LlmSimulatorOptions): Promise<LlmSimulator> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const simulator = new LlmSimulator(server, `http://127.0.0.1:${port}/v1`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void simulator.handle(req, res, options);
    });
    return simulator;
  }

  /**
   * Prompts asked more than once (since `before`, a copy of `requested` taken earlier): calls made
   * again rather than served from a journal.
   */
  repeatedPrompts(before: ReadonlyMap<string, number> = new Map()): string[] {
    return [...this.requested]
      .filter(([hash, count]) => count - (before.get(hash) ?? 0) > 1)
      .map(([hash]) => hash);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    options: LlmSimulatorOptions,
  ): Promise<void> {
    this.open += 1;
    try {
      await this.answer(req, res, options);
    } finally {
      this.open -= 1;
    }
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    { delayMs, choose, reviewScore }: LlmSimulatorOptions,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as ChatBody;
    const name = body.response_format?.json_schema?.name ?? 'unknown';
    this.received.set(name, (this.received.get(name) ?? 0) + 1);
    const prompt = JSON.stringify(body.messages ?? []);
    const promptHash = createHash('sha256').update(prompt).digest('hex');
    this.requested.set(promptHash, (this.requested.get(promptHash) ?? 0) + 1);
    this.names.set(promptHash, name);
    this.inFlight.add(promptHash);

    let gone = false;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, typeof delayMs === 'number' ? delayMs : delayMs(prompt));
    });
    const closed = new Promise<void>((resolve) =>
      res.on('close', () => {
        if (!res.writableFinished) gone = true;
        resolve();
      }),
    );
    await Promise.race([answered, closed]);
    clearTimeout(timer);
    if (gone) {
      this.inFlight.delete(promptHash);
      this.aborted += 1;
      return;
    }
    const content = JSON.stringify(answer(name, body, choose, reviewScore));
    // Token counts as an OpenAI server reports them (here: about four characters a token).
    const usage = {
      prompt_tokens: Math.ceil(prompt.length / 4),
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: Math.ceil(prompt.length / 4) + Math.ceil(content.length / 4),
    };
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of content.match(/.{1,40}/gs) ?? []) {
        res.write(`data: ${JSON.stringify(chunk(piece, null))}\n\n`);
      }
      res.write(`data: ${JSON.stringify(chunk('', 'stop'))}\n\n`);
      if (body.stream_options?.include_usage === true)
        res.write(`data: ${JSON.stringify({ ...chunk('', null), choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-sim',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'simulator',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          usage,
        }),
      );
    }
    this.inFlight.delete(promptHash);
    this.completed.set(promptHash, (this.completed.get(promptHash) ?? 0) + 1);
  }
}

function chunk(content: string, finish: string | null) {
  return {
    id: 'chatcmpl-sim',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'simulator',
    choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
  };
}

function userText(body: ChatBody): string {
  return [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
}

function answer(
  name: string,
  body: ChatBody,
  choose: LlmSimulatorOptions['choose'],
  reviewScore: LlmSimulatorOptions['reviewScore'],
): unknown {
  const text = userText(body);
  switch (name) {
    case 'research_plan': {
      const request = /Request: "([^"]*)"/.exec(text)?.[1] ?? 'gift';
      return {
        summary: `Search the catalogue for ${request}.`,
        steps: [{ query: request, categories: [], rationale: 'Covers the request as written.' }],
      };
    }
    case 'recommendation_draft': {
      const wanted = Number(/up to (\d+) recommendations/.exec(text)?.[1] ?? 3);
      const ids = allowedIds(body.response_format?.json_schema?.schema);
      const picks = choose ? choose(text, ids, wanted) : ids.slice(0, wanted);
      return {
        summary: `${picks.length} picks from the candidates.`,
        recommendations: picks.map((itemId) => ({ itemId, reason: 'Matches the request and the profile.' })),
      };
    }
    case 'draft_review':
      return {
        verdict: 'approved',
        critique: 'Relevant and within the constraints.',
        issues: [],
        score: reviewScore ? reviewScore(text) : 0.9,
      };
    default:
      return {};
  }
}

function allowedIds(schema: unknown): string[] {
  const ids = (
    schema as {
      properties?: { recommendations?: { items?: { properties?: { itemId?: { enum?: string[] } } } } };
    }
  )?.properties?.recommendations?.items?.properties?.itemId?.enum;
  return ids ?? [];
}

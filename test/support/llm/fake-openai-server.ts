import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible server (chat completions), for tests:
 * scripted replies per request, JSON or SSE depending on the request's `stream` flag, and a record
 * of every request and of connections the client closed before the reply ended.
 */
export type FakeReply =
  /** A chat completion; sent as SSE chunks of `chunkSize` characters when the request streams. */
  | {
      readonly kind: 'completion';
      readonly content: string;
      readonly finishReason?: string;
      readonly chunkSize?: number;
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly message?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Accepts the request and never answers. */
  | { readonly kind: 'hang' }
  /** Sends these SSE deltas, then stalls without ending the stream. */
  | { readonly kind: 'stall-stream'; readonly deltas: readonly string[] };

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: ChatRequestBody;
  /** Deltas or bodies sent so far. */
  sent: string[];
  /** True once the client closed the connection before the reply was complete. */
  closedEarly: boolean;
}

/** The parts of a chat-completions request the tests look at. */
export interface ChatRequestBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly stream_options?: { include_usage?: boolean };
  readonly messages?: { role: string; content: string }[];
  readonly response_format?: {
    type: string;
    json_schema?: { name: string; strict?: boolean; schema: unknown };
  };
}

type Script = readonly FakeReply[] | ((request: ReceivedRequest, index: number) => FakeReply);

export class FakeOpenAiServer {
  readonly requests: ReceivedRequest[] = [];

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  /** Starts on 127.0.0.1 and a free port; a list script answers request n with entry n (the last repeats). */
  static async start(script: Script): Promise<FakeOpenAiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeOpenAiServer(server, `http://127.0.0.1:${port}/v1`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const received: ReceivedRequest = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          body: text === '' ? {} : (JSON.parse(text) as ChatRequestBody),
          sent: [],
          closedEarly: false,
        };
        res.on('close', () => {
          if (!res.writableFinished) received.closedEarly = true;
        });
        const index = fake.requests.length;
        fake.requests.push(received);
        const reply =
          typeof script === 'function' ? script(received, index) : script[Math.min(index, script.length - 1)];
        if (reply === undefined) throw new Error('FakeOpenAiServer: empty script');
        answer(reply, received, res);
      });
    });
    return fake;
  }

  /** Requests whose path ends with `suffix`, e.g. "/chat/completions". */
  to(suffix: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path.endsWith(suffix));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

function answer(reply: FakeReply, request: ReceivedRequest, res: ServerResponse): void {
  switch (reply.kind) {
    case 'completion': {
      if (request.body.stream === true) {
        const size = reply.chunkSize ?? 7;
        const deltas: string[] = [];
        for (let start = 0; start < reply.content.length; start += size)
          deltas.push(reply.content.slice(start, start + size));
        startStream(res);
        for (const delta of deltas) sendDelta(res, request, delta);
        res.write(`data: ${JSON.stringify(chunk({}, reply.finishReason ?? 'stop'))}\n\n`);
        if (request.body.stream_options?.include_usage === true) {
          // As OpenAI sends it: a last chunk without choices that carries the usage.
          const usage = {
            prompt_tokens: 10,
            completion_tokens: deltas.length,
            total_tokens: 10 + deltas.length,
          };
          res.write(`data: ${JSON.stringify({ ...(chunk({}, null) as object), choices: [], usage })}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      request.sent.push(reply.content);
      sendJson(res, 200, {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: 0,
        model: request.body.model ?? 'fake',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply.content, refusal: null },
            finish_reason: reply.finishReason ?? 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      });
      return;
    }
    case 'error':
      sendJson(
        res,
        reply.status,
        {
          error: {
            message: reply.message ?? `fake error ${reply.status}`,
            type: 'fake_error',
            param: null,
            code: null,
          },
        },
        reply.headers,
      );
      return;
    case 'hang':
      return;
    case 'stall-stream':
      startStream(res);
      for (const delta of reply.deltas) sendDelta(res, request, delta);
      return;
  }
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

function sendDelta(res: ServerResponse, request: ReceivedRequest, delta: string): void {
  request.sent.push(delta);
  res.write(`data: ${JSON.stringify(chunk({ content: delta }, null))}\n\n`);
}

function chunk(delta: Record<string, string>, finishReason: string | null): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

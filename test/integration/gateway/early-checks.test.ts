import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyRepository } from '../../../apps/gateway/src/auth/api-key.repository';
import { type Gateway, startGateway } from './harness';

/**
 * Requests cannot dodge the early checks: requests without valid credentials are limited per client
 * address before their credentials reach the store, and slow senders are cut off. (The routed-path
 * check and the headers timeout are tested in security.test.ts.)
 */

const UNAUTHENTICATED_BURST = 3;

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway(
    { projection: { enabled: false } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_UNAUTHENTICATED_RATE_LIMIT_BURST: String(UNAUTHENTICATED_BURST),
      // One token back every 1 000 s: a bucket a test empties stays empty while the file runs.
      TRIBUTARY_UNAUTHENTICATED_RATE_LIMIT_PER_SECOND: '0.001',
      TRIBUTARY_HTTP_TRUST_PROXY: '127.0.0.1',
      TRIBUTARY_HTTP_HEADERS_TIMEOUT_MS: '500',
      TRIBUTARY_HTTP_REQUEST_TIMEOUT_MS: '1000',
    },
  );
});

afterAll(async () => {
  await gateway?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request as sent, path bytes untouched (fetch would normalise them), from `localAddress` (any
 * 127.x address reaches a loopback listener on Linux), with a client address per request.
 */
function send(
  path: string,
  {
    method = 'GET',
    headers = {},
    body,
    from = '127.0.0.1',
  }: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Answer> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, localAddress: from, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a raw connection, writes `text` and nothing more; resolves with what the server sent before it closed. */
function sendPartially(text: string): Promise<string> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    // Far beyond the configured limits: a server that keeps the connection fails the test.
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error(`the server kept the connection open; it sent: ${answer}`));
    });
  });
}

let addressCounter = 10;
/** A client address no other test used: 127.0.0.x as the socket's source. */
function freshAddress(): string {
  addressCounter += 1;
  return `127.0.0.${addressCounter}`;
}

describe('requests without valid credentials', () => {
  it('are limited per client address before their credentials reach the store: 429 with Retry-After', async () => {
    const lookups = vi.spyOn(gateway.app.get(ApiKeyRepository), 'findForAuthentication');
    try {
      const address = freshAddress();
      const unknownKey = () =>
        `trb_${Math.random().toString(16).slice(2, 10).padEnd(16, '0')}_${'A'.repeat(43)}`;
      const statuses: number[] = [];
      for (let i = 0; i < UNAUTHENTICATED_BURST; i += 1) {
        statuses.push((await send('/v1/tasks', { from: address })).status);
      }
      expect(statuses).toEqual(Array(UNAUTHENTICATED_BURST).fill(401));

      const lookupsBefore = lookups.mock.calls.length;
      const attempts: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${unknownKey()}` },
        { authorization: 'Bearer x.y.z' },
      ];
      for (const headers of attempts) {
        const refused = await send('/v1/tasks', { from: address, headers });
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(JSON.parse(refused.body)).toMatchObject({ type: 'urn:tributary:problem:rate-limited' });
      }
      // The unknown key was refused without a read of the api_keys collection.
      expect(lookups.mock.calls.length).toBe(lookupsBefore);
      // The control: from another address, the same unknown key is looked up (and refused 401).
      expect(
        (
          await send('/v1/tasks', {
            from: freshAddress(),
            headers: { authorization: `Bearer ${unknownKey()}` },
          })
        ).status,
      ).toBe(401);
      expect(lookups.mock.calls.length).toBe(lookupsBefore + 1);
      // Health and docs are not limited.
      expect((await send('/health/live', { from: address })).status).toBe(200);
    } finally {
      lookups.mockRestore();
    }
  });

  it('count the client a trusted proxy names in X-Forwarded-For, and only a trusted proxy', async () => {
    // 127.0.0.1 is the trusted proxy: each forwarded client has its own bucket.
    for (let i = 0; i < UNAUTHENTICATED_BURST; i += 1) {
      const answer = await send('/v1/tasks', { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(answer.status).toBe(401);
    }
    expect((await send('/v1/tasks', { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(429);
    expect((await send('/v1/tasks', { headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(401);
    // Another peer is no trusted proxy: its X-Forwarded-For is ignored, its own address counts.
    const untrusted = freshAddress();
    for (let i = 0; i < UNAUTHENTICATED_BURST; i += 1) {
      const forwarded = { 'x-forwarded-for': `198.51.100.${i}` };
      expect((await send('/v1/tasks', { from: untrusted, headers: forwarded })).status).toBe(401);
    }
    const again = { 'x-forwarded-for': '198.51.100.200' };
    expect((await send('/v1/tasks', { from: untrusted, headers: again })).status).toBe(429);
  });
});

describe('slow senders', () => {
  it('closes a connection whose body does not arrive within the request timeout', async () => {
    const key = await gateway.createApiKey('early', ['submit']);
    const answer = await sendPartially(
      'POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"userId":`,
    );
    // Node answers 408 if no response has started, then closes; either way the connection is gone.
    expect(answer === '' || /^HTTP\/1\.1 408 /.test(answer)).toBe(true);
  });

  it('configures the keep-alive and idle-connection limits on the HTTP server', () => {
    const server = gateway.app.getHttpServer();
    expect(server.headersTimeout).toBe(500);
    expect(server.requestTimeout).toBe(1000);
    expect(server.keepAliveTimeout).toBe(72_000);
    expect(server.timeout).toBe(120_000);
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createRegistrySerializer, PermanentError, RetriableError } from '@tributary/kafka';
import { registryReadiness } from '@tributary/platform';
import { testConfig, testTopic } from '@tributary/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USER = 'registry-client';
const PASSWORD = 'Registry-Test-Password';
const EXPECTED = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorized: boolean;
}

/**
 * The real registry behind a reverse proxy that asks for basic authentication, as a managed
 * registry does: a request without the right `Authorization` header gets a 401, the others go
 * through to the shared stack's registry unchanged.
 */
async function startAuthProxy(target: string): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const origin = new URL(target).origin;
  const seen: Seen[] = [];
  const body = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const authorized = req.headers.authorization === EXPECTED;
      seen.push({ method: req.method ?? '', path: req.url ?? '', authorized });
      if (!authorized) {
        res.writeHead(401, {
          'WWW-Authenticate': 'Basic realm="registry"',
          'Content-Type': 'application/json',
        });
        res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
        return;
      }
      const payload = await body(req);
      const answer = await fetch(`${origin}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: {
          ...(req.headers['content-type'] ? { 'Content-Type': req.headers['content-type'] } : {}),
          ...(req.headers.accept ? { Accept: req.headers.accept } : {}),
        },
        ...(payload.length > 0 ? { body: payload } : {}),
      });
      res.writeHead(answer.status, {
        'Content-Type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${new URL(target).pathname}`, seen, server };
}

const base = testConfig();
let proxy: Awaited<ReturnType<typeof startAuthProxy>>;

beforeAll(async () => {
  proxy = await startAuthProxy(base.registryUrl);
});

afterAll(async () => {
  await new Promise((resolve) => proxy.server.close(resolve));
});

function configWith(credentials: Record<string, string>) {
  return testConfig('gateway', { TRIBUTARY_REGISTRY_URL: proxy.url, ...credentials });
}

const GOOD = { TRIBUTARY_REGISTRY_USERNAME: USER, TRIBUTARY_REGISTRY_PASSWORD: PASSWORD };
const WRONG = { TRIBUTARY_REGISTRY_USERNAME: USER, TRIBUTARY_REGISTRY_PASSWORD: 'not-the-password' };
const value = { taskId: 'task-1', tenantId: 'tenant-a', seq: 1, note: 'through the proxy' };

describe('a schema registry that requires basic authentication', () => {
  it('with TRIBUTARY_REGISTRY_USERNAME and _PASSWORD, registers, encodes and decodes; every request carries the credentials', async () => {
    const topic = testTopic();
    const before = proxy.seen.length;
    const writer = createRegistrySerializer(configWith(GOOD));
    await writer.register([topic]);
    const bytes = await writer.encode(topic, value);
    // A fresh serializer has no cached schema: it fetches the writer's schema by id.
    expect(await createRegistrySerializer(configWith(GOOD)).decode(topic, bytes)).toEqual(value);

    const requests = proxy.seen.slice(before);
    const kinds = requests.map(
      (r) => `${r.method} ${r.path.replace(/\/apis\/ccompat\/v7/, '').split('/')[1]}`,
    );
    // Our own requests (the subject's compatibility level) and the registry client's.
    expect(new Set(kinds)).toEqual(new Set(['GET config', 'PUT config', 'POST subjects', 'GET schemas']));
    expect(requests.every((r) => r.authorized)).toBe(true);
  });

  it('reports the registry ready with the credentials, and not ready without them', async () => {
    await expect(registryReadiness(configWith(GOOD)).check()).resolves.toBeUndefined();
    await expect(registryReadiness(configWith({})).check()).rejects.toThrow('GET /subjects answered 401');
  });

  it('refuses to register with wrong credentials (naming the variables, not the password); decoding with them is retried, never dead-lettered', async () => {
    const topic = testTopic();
    const error = await createRegistrySerializer(configWith(WRONG))
      .register([topic])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /^schema registry refused our credentials \(HTTP 401\) while .*; check TRIBUTARY_REGISTRY_USERNAME and TRIBUTARY_REGISTRY_PASSWORD$/,
    );
    expect((error as Error).message).not.toContain('not-the-password');

    const writer = createRegistrySerializer(configWith(GOOD));
    await writer.register([topic]);
    const bytes = await writer.encode(topic, value);
    const decodeError = await createRegistrySerializer(configWith(WRONG))
      .decode(topic, bytes)
      .catch((e: unknown) => e);
    expect(decodeError).toBeInstanceOf(RetriableError);
    expect((decodeError as Error).message).toMatch(
      /schema registry refused our credentials \(HTTP 401\) while fetching schema id \d+; check TRIBUTARY_REGISTRY_USERNAME/,
    );
  });
});

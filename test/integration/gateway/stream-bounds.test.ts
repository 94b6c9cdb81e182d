import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@tributary/testing';
import { parseApiKey } from '../../../apps/gateway/src/auth/api-key';
import { ApiKeyRepository } from '../../../apps/gateway/src/auth/api-key.repository';
import { tenantId } from '../../../apps/gateway/src/task/tenant';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * Event streams are bounded: a cap per credential and per tenant (429 `too-many-streams` beyond),
 * a maximum lifetime (the stream ends and resumes with Last-Event-ID), and a stream ends when its
 * API key is revoked or its token expires. Tasks here are accepted but never worked on (no agents
 * run), so their streams stay open until the gateway ends them.
 */

const JWT_SECRET = 'stream-bounds-secret-at-least-32-characters';
const JWT_ISSUER = 'https://issuer.test';
const JWT_AUDIENCE = 'tributary-test';
const PER_CREDENTIAL = 2;
const PER_TENANT = 3;

interface OpenStream {
  readonly status: number;
  readonly retryAfter: string | null;
  /** Everything the server sent, once it ended the stream. */
  readonly ended: Promise<string>;
  /** What the server sent so far. */
  text(): string;
  close(): void;
}

async function openStream(
  gateway: Gateway,
  taskId: string,
  token: string,
  lastEventId?: string,
): Promise<OpenStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await gateway.fetch(`/v1/tasks/${taskId}/events`, { headers, signal: controller.signal });
  let received = '';
  const ended = (async () => {
    if (response.status !== 200 || !response.body) return response.text();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return received;
        received += value;
      }
    } catch (error) {
      if (controller.signal.aborted) return received;
      throw error;
    }
  })();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    ended,
    text: () => received,
    close: () => controller.abort(),
  };
}

async function submit(gateway: Gateway, token: string, tenant: string): Promise<string> {
  const userId = await gateway.newUser(tenant);
  const response = await postJson(
    gateway,
    '/v1/tasks',
    { userId, request: 'a long read' },
    { authorization: `Bearer ${token}` },
  );
  expect(response.status).toBe(202);
  return ((await response.json()) as { taskId: string }).taskId;
}

const authEnv = {
  TRIBUTARY_AUTH: 'required',
  TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
  TRIBUTARY_RATE_LIMIT_BURST: '1000',
  TRIBUTARY_JWT_SECRET: JWT_SECRET,
  TRIBUTARY_JWT_ISSUER: JWT_ISSUER,
  TRIBUTARY_JWT_AUDIENCE: JWT_AUDIENCE,
};

let counter = 0;
function newTenant(): string {
  counter += 1;
  return `sb${Date.now().toString(36)}${counter}`;
}

describe('event streams with caps and credential checks', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway(
      { sse: { credentialCheckMs: 200 } },
      {
        ...authEnv,
        TRIBUTARY_SSE_MAX_STREAMS_PER_CREDENTIAL: String(PER_CREDENTIAL),
        TRIBUTARY_SSE_MAX_STREAMS_PER_TENANT: String(PER_TENANT),
      },
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses a stream beyond the per-credential and per-tenant caps with 429, and admits again once one closes', async () => {
    const tenant = newTenant();
    const first = await gateway.createApiKey(tenant, ['submit', 'read']);
    const second = await gateway.createApiKey(tenant, ['read']);
    const taskId = await submit(gateway, first, tenant);

    const open: OpenStream[] = [];
    for (let i = 0; i < PER_CREDENTIAL; i += 1) open.push(await openStream(gateway, taskId, first));
    expect(open.map((s) => s.status)).toEqual([200, 200]);

    const overCredential = await openStream(gateway, taskId, first);
    expect(overCredential.status).toBe(429);
    expect(overCredential.retryAfter).toMatch(/^\d+$/);
    expect(JSON.parse(await overCredential.ended)).toMatchObject({
      type: 'urn:tributary:problem:too-many-streams',
      status: 429,
    });

    // The second key of the tenant has its own cap, but the tenant's cap (3) counts both keys.
    open.push(await openStream(gateway, taskId, second));
    expect(open[2]!.status).toBe(200);
    const overTenant = await openStream(gateway, taskId, second);
    expect(overTenant.status).toBe(429);
    expect(await overTenant.ended).toContain('tenant');

    // Another tenant is not held back by this one.
    const other = newTenant();
    const otherKey = await gateway.createApiKey(other, ['submit', 'read']);
    const otherStream = await openStream(gateway, await submit(gateway, otherKey, other), otherKey);
    expect(otherStream.status).toBe(200);
    otherStream.close();

    // A client that leaves gives its place back.
    open[0]!.close();
    const again = await waitFor(
      async () => {
        const stream = await openStream(gateway, taskId, first);
        if (stream.status === 200) return stream;
        await stream.ended;
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'a stream to be admitted after one closed' },
    );
    for (const stream of [...open, again]) stream.close();
  });

  it('ends a stream when its API key is revoked', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const stream = await openStream(gateway, await submit(gateway, key, tenant), key);
    expect(stream.status).toBe(200);

    const { keyId } = parseApiKey(key)!;
    expect(await gateway.app.get(ApiKeyRepository).revoke(tenantId(tenant), keyId, new Date())).toBe(true);

    // Within the key cache's 5 s and a check interval; the test's own bound is generous.
    const text = await Promise.race([
      stream.ended,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('stream still open')), 30_000)),
    ]);
    expect(text).toContain(': closed credential-invalid');
  });

  it('ends a stream when its JWT expires', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit']);
    const taskId = await submit(gateway, key, tenant);
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const token = await new SignJWT({ tenant_id: tenant, scope: 'tributary:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('viewer')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(JWT_SECRET));

    const stream = await openStream(gateway, taskId, token);
    expect(stream.status).toBe(200);
    const text = await Promise.race([
      stream.ended,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('stream still open')), 30_000)),
    ]);
    expect(text).toContain(': closed credential-expired');
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
  });
});

describe('event streams with a maximum lifetime', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({}, { ...authEnv, TRIBUTARY_SSE_MAX_LIFETIME_MS: '1500' });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('ends a stream after its lifetime; the client resumes it with Last-Event-ID', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const taskId = await submit(gateway, key, tenant);

    const stream = await openStream(gateway, taskId, key);
    expect(stream.status).toBe(200);
    const text = await Promise.race([
      stream.ended,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('stream still open')), 30_000)),
    ]);
    expect(text).toContain(': closed max-lifetime');
    const ids = [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);

    // Resuming after the last event received: nothing is sent twice.
    const resumed = await openStream(gateway, taskId, key, ids.at(-1));
    expect(resumed.status).toBe(200);
    const again = await resumed.ended;
    expect([...again.matchAll(/^id: (.+)$/gm)].map((m) => m[1])).not.toContain(ids.at(-1));
    expect(again).toContain(': closed max-lifetime');
  });
});

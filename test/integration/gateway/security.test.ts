import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@tributary/contracts';
import { waitFor } from '@tributary/testing';
import { sample } from './events';
import { type Gateway, postJson, startGateway } from './harness';

/**
 * Authentication, scopes, tenant isolation, the per-tenant in-flight cap and idempotency keys,
 * on a gateway with auth required (API keys and HS256 JWTs) against the real stack.
 */

const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
const JWT_ISSUER = 'https://idp.test';
const JWT_AUDIENCE = 'tributary-gateway';
const IN_FLIGHT_CAP = 3;

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway(
    { inFlight: { enabled: true } },
    {
      TRIBUTARY_AUTH: 'required',
      TRIBUTARY_HTTP_HEADERS_TIMEOUT_MS: '1000',
      TRIBUTARY_JWT_SECRET: JWT_SECRET,
      TRIBUTARY_JWT_ISSUER: JWT_ISSUER,
      TRIBUTARY_JWT_AUDIENCE: JWT_AUDIENCE,
      TRIBUTARY_JWT_SCOPE_MAP: 'orders.write=submit,orders.read=read',
      TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000',
      TRIBUTARY_RATE_LIMIT_BURST: '1000',
      // Every test here sends from 127.0.0.1, and many send bad credentials on purpose.
      TRIBUTARY_UNAUTHENTICATED_RATE_LIMIT_BURST: '1000',
      TRIBUTARY_MAX_IN_FLIGHT_TASKS: String(IN_FLIGHT_CAP),
    },
  );
});

afterAll(async () => {
  await gateway?.close();
});

let tenantCounter = 0;
/** A tenant of its own per test: the in-flight cap counts per tenant. */
function newTenant(): string {
  tenantCounter += 1;
  return `t${Date.now().toString(36)}${tenantCounter}`;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function get(path: string, key?: string): Promise<Response> {
  return gateway.fetch(path, { headers: key ? bearer(key) : {} });
}

async function submit(key: string, userId: string, extra: Record<string, unknown> = {}, headers = {}) {
  return postJson(
    gateway,
    '/v1/tasks',
    { userId, request: 'a sci-fi novel', ...extra },
    { ...bearer(key), ...headers },
  );
}

/** An HS256 token from the gateway's configured issuer for its audience, unless told otherwise (null: no claim). */
function signJwt(
  claims: Record<string, unknown>,
  {
    secret = JWT_SECRET,
    exp = '5m',
    issuer = JWT_ISSUER,
    audience = JWT_AUDIENCE,
  }: { secret?: string; exp?: string; issuer?: string | null; audience?: string | null } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('svc-1')
    .setIssuedAt()
    .setExpirationTime(exp);
  if (issuer !== null) jwt.setIssuer(issuer);
  if (audience !== null) jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function problem(response: Response): Promise<{ type: string; status: number; detail: string }> {
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { type: string; status: number; detail: string };
}

describe('authentication', () => {
  it('answers 401 with a bearer challenge without credentials, and keeps health and docs open', async () => {
    const response = await get('/v1/tasks');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tributary"');
    expect((await problem(response)).type).toBe('urn:tributary:problem:unauthorized');

    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/docs/json')).status).toBe(200);
  });

  it('answers 401 invalid_token for an unknown, malformed or revoked key, before looking at the body', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['read']);
    const wrongSecret = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const bad of [wrongSecret, 'trb_nope', 'not-a-key', `${key}x`]) {
      const response = await get('/v1/tasks', bad);
      expect(response.status, bad).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    // A malformed body with no credentials is still a 401, not a 400.
    const anonymous = await gateway.fetch('/v1/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"nope":',
    });
    expect(anonymous.status).toBe(401);

    expect((await get('/v1/tasks', key)).status).toBe(200);
    const { ApiKeyRepository } = await import('../../../apps/gateway/src/auth/api-key.repository');
    const { tenantId } = await import('../../../apps/gateway/src/task/tenant');
    const keyId = key.slice(4, 20);
    expect(await gateway.app.get(ApiKeyRepository).revoke(tenantId(tenant), keyId, new Date())).toBe(true);
    // Keys are cached for up to 5 s after a read.
    await waitFor(async () => (await get('/v1/tasks', key)).status === 401, {
      timeoutMs: 10_000,
      intervalMs: 250,
      description: 'the revoked key to be refused',
    });
  });

  it('authenticates a percent-encoded path before reading its body, like the plain one', async () => {
    for (const path of ['/%761/tasks', '/v1/%74asks', '/%76%31/tasks']) {
      const response = await gateway.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"not json',
      });
      // 401, not 400 invalid-json: the body of an anonymous request is never parsed.
      expect(response.status, path).toBe(401);
      expect((await problem(response)).type).toBe('urn:tributary:problem:unauthorized');
    }
  });

  it('closes a connection whose headers do not arrive in time (slow clients hold nothing)', async () => {
    const url = new URL(gateway.url);
    const socket = connect(Number(url.port), url.hostname);
    const closed = new Promise<string>((resolve) => {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
    });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Never finishes its headers: the server ends it after TRIBUTARY_HTTP_HEADERS_TIMEOUT_MS (1 s here).
    const answer = await Promise.race([
      closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('connection still open')), 20_000)),
    ]);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('answers 403 insufficient_scope when the key lacks the scope of the action; admin implies all', async () => {
    const tenant = newTenant();
    const user = await gateway.newUser(tenant);
    const readOnly = await gateway.createApiKey(tenant, ['read']);
    const submitOnly = await gateway.createApiKey(tenant, ['submit']);
    const admin = await gateway.createApiKey(tenant, ['admin']);

    const refused = await submit(readOnly, user);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="submit"');
    expect((await problem(refused)).type).toBe('urn:tributary:problem:forbidden');

    const accepted = await submit(submitOnly, user);
    expect(accepted.status).toBe(202);
    const { taskId } = (await accepted.json()) as { taskId: string };
    expect((await get(`/v1/tasks/${taskId}`, submitOnly)).status).toBe(403);
    const cancel = await postJson(gateway, `/v1/tasks/${taskId}/cancel`, {}, bearer(readOnly));
    expect(cancel.status).toBe(403);
    expect((await get('/v1/webhook-endpoint', readOnly)).status).toBe(403);

    expect((await get(`/v1/tasks/${taskId}`, admin)).status).toBe(200);
    expect((await get('/v1/webhook-endpoint', admin)).status).toBe(200);
  });

  it('answers 403 to priority high without the priority scope; normal priority needs only submit', async () => {
    const tenant = newTenant();
    const user = await gateway.newUser(tenant);
    const submitter = await gateway.createApiKey(tenant, ['submit']);
    const privileged = await gateway.createApiKey(tenant, ['submit', 'priority']);

    const refused = await submit(submitter, user, { priority: 'high' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="priority"');
    expect((await problem(refused)).type).toBe('urn:tributary:problem:forbidden');

    expect((await submit(submitter, user, { priority: 'normal' })).status).toBe(202);
    expect((await submit(submitter, user, { priority: 'low' })).status).toBe(202);
    expect((await submit(privileged, user, { priority: 'high' })).status).toBe(202);
  });

  it('accepts HS256 JWTs carrying tenant and scopes, and refuses bad signatures, expiry and missing scopes', async () => {
    const tenant = newTenant();
    const user = await gateway.newUser(tenant);
    const sign = (claims: Record<string, unknown>, secret = JWT_SECRET, exp = '5m') =>
      signJwt(claims, { secret, exp });

    const good = await sign({ tenant_id: tenant, scope: 'tributary:submit tributary:read' });
    const accepted = await submit(good, user);
    expect(accepted.status).toBe(202);
    const { taskId } = (await accepted.json()) as { taskId: string };
    expect((await get(`/v1/tasks/${taskId}`, good)).status).toBe(200);

    const forged = await sign(
      { tenant_id: tenant, scope: 'tributary:read' },
      'another-secret-that-is-32-characters-long!!',
    );
    expect((await get('/v1/tasks', forged)).status).toBe(401);
    const expired = await sign({ tenant_id: tenant, scope: 'tributary:read' }, JWT_SECRET, '-5m');
    const expiredAnswer = await get('/v1/tasks', expired);
    expect(expiredAnswer.status).toBe(401);
    expect((await problem(expiredAnswer)).detail).toContain('expired');
    const noTenant = await sign({ scope: 'tributary:read' });
    expect((await get('/v1/tasks', noTenant)).status).toBe(401);
    const readOnly = await sign({ tenant_id: tenant, scope: 'tributary:read' });
    expect((await submit(readOnly, user)).status).toBe(403);
  });

  it("refuses a JWT for another audience or issuer, or without them (401), and another application's plain admin or priority scope grants nothing (403)", async () => {
    const tenant = newTenant();
    const claims = { tenant_id: tenant, scope: 'tributary:read' };
    expect((await get('/v1/tasks', await signJwt(claims))).status).toBe(200);
    for (const [what, options] of [
      ['another audience', { audience: 'another-app' }],
      ['another issuer', { issuer: 'https://elsewhere.test' }],
      ['no audience', { audience: null }],
      ['no issuer', { issuer: null }],
    ] as const) {
      const answer = await get('/v1/tasks', await signJwt(claims, options));
      expect(answer.status, what).toBe(401);
      expect(answer.headers.get('www-authenticate'), what).toContain('error="invalid_token"');
    }

    // Scopes in the token that are not ours: `admin`, `read`, `submit` of another application.
    const foreign = await signJwt({ tenant_id: tenant, scope: 'admin read submit' });
    const refused = await get('/v1/tasks', foreign);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="read"');
    expect((await get('/v1/webhook-endpoint', foreign)).status).toBe(403);
    // Namespaced, or named in TRIBUTARY_JWT_SCOPE_MAP, they do grant.
    const namespacedAdmin = await signJwt({ tenant_id: tenant, scope: ['tributary:admin'] });
    expect((await get('/v1/webhook-endpoint', namespacedAdmin)).status).toBe(200);
    const mapped = await signJwt({ tenant_id: tenant, scope: 'orders.write orders.read' });
    const user = await gateway.newUser(tenant);
    expect((await submit(mapped, user)).status).toBe(202);
    expect((await get('/v1/tasks', mapped)).status).toBe(200);
    // Priority too: a plain `priority` is someone else's; `tributary:priority` may ask for high.
    const plainPriority = await signJwt({ tenant_id: tenant, scope: 'tributary:submit priority' });
    expect((await submit(plainPriority, user, { priority: 'high' })).status).toBe(403);
    const priority = await signJwt({ tenant_id: tenant, scope: 'tributary:submit tributary:priority' });
    expect((await submit(priority, user, { priority: 'high' })).status).toBe(202);
  });
});

describe('tenant isolation', () => {
  it("answers 404 on every endpoint for another tenant's task and user, and lists none of them", async () => {
    const owner = newTenant();
    const other = newTenant();
    const ownerKey = await gateway.createApiKey(owner, ['admin']);
    const otherKey = await gateway.createApiKey(other, ['admin']);
    const user = await gateway.newUser(owner);
    const accepted = await submit(ownerKey, user);
    expect(accepted.status).toBe(202);
    const { taskId } = (await accepted.json()) as { taskId: string };
    // The user has a completed task, so the owner sees recommendations.
    await gateway.emit(TOPICS.recommendationReady, {
      ...sample(TOPICS.recommendationReady, taskId),
      tenantId: owner,
      userId: user,
    });
    await waitFor(
      async () => {
        const r = await get(`/v1/tasks/${taskId}`, ownerKey);
        return r.status === 200 && ((await r.json()) as { status: string }).status === 'completed';
      },
      { timeoutMs: 20_000, description: 'the task to complete' },
    );

    const matrix: [string, (key: string) => Promise<Response>][] = [
      ['GET task', (key) => get(`/v1/tasks/${taskId}`, key)],
      [
        'GET events',
        (key) =>
          gateway.fetch(`/v1/tasks/${taskId}/events`, {
            headers: { ...bearer(key), accept: 'text/event-stream' },
          }),
      ],
      ['POST cancel', (key) => postJson(gateway, `/v1/tasks/${taskId}/cancel`, {}, bearer(key))],
      ['GET deliveries', (key) => get(`/v1/tasks/${taskId}/deliveries`, key)],
      ['GET user recommendations', (key) => get(`/v1/users/${user}/recommendations`, key)],
    ];
    for (const [name, call] of matrix) {
      const foreign = await call(otherKey);
      expect(foreign.status, `${name} by another tenant`).toBe(404);
      expect((await problem(foreign)).type).toBe('urn:tributary:problem:not-found');
      // The control: the owner reaches the same resource (cancel of an ended task is a 409).
      const own = await call(ownerKey);
      await own.body?.cancel();
      expect([200, 409], `${name} by the owner`).toContain(own.status);
    }

    const listed = async (key: string, query = '') =>
      ((await (await get(`/v1/tasks${query}`, key)).json()) as { items: { taskId: string }[] }).items.map(
        (i) => i.taskId,
      );
    expect(await listed(otherKey)).not.toContain(taskId);
    expect(await listed(otherKey, `?userId=${user}`)).toEqual([]);
    expect(await listed(ownerKey, `?userId=${user}`)).toEqual([taskId]);

    // The other tenant cannot submit for the owner's user either: the user does not exist for it.
    expect((await submit(otherKey, user)).status).toBe(422);
  });
});

describe('in-flight cap', () => {
  it('refuses the task over the cap with 429 and Retry-After, and admits again once a task has ended', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const user = await gateway.newUser(tenant);
    const taskIds: string[] = [];
    for (let i = 0; i < IN_FLIGHT_CAP; i += 1) {
      const response = await submit(key, user);
      expect(response.status).toBe(202);
      taskIds.push(((await response.json()) as { taskId: string }).taskId);
    }
    const over = await submit(key, user);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problem(over)).type).toBe('urn:tributary:problem:too-many-tasks');

    // Another tenant is not affected.
    const otherTenant = newTenant();
    const otherKey = await gateway.createApiKey(otherTenant, ['submit']);
    expect((await submit(otherKey, await gateway.newUser(otherTenant))).status).toBe(202);

    // One task fails (twice: a redelivered end frees one slot, not two).
    const failed = { ...sample(TOPICS.taskFailed, taskIds[0]!), tenantId: tenant };
    const envelope = await gateway.emit(TOPICS.taskFailed, failed);
    await gateway.resend(TOPICS.taskFailed, failed, envelope);
    const admitted = await waitFor(
      async () => {
        const response = await submit(key, user);
        return response.status === 202 ? response : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'a slot to free up after the task ended' },
    );
    expect(admitted.status).toBe(202);
    expect((await submit(key, user)).status).toBe(429);
  });
});

describe('idempotency keys', () => {
  it('answers a repeated request with the same task and creates nothing new', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const user = await gateway.newUser(tenant);
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const first = await submit(key, user, { maxResults: 5 }, headers);
    const second = await submit(key, user, {}, headers); // maxResults 5 is the default: the same request
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const a = (await first.json()) as { taskId: string };
    const b = (await second.json()) as { taskId: string };
    expect(b.taskId).toBe(a.taskId);
    const list = (await (await get(`/v1/tasks?userId=${user}`, key)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);

    const different = await submit(key, user, { request: 'something else entirely' }, headers);
    expect(different.status).toBe(409);
    expect((await problem(different)).type).toBe('urn:tributary:problem:idempotency-key-mismatch');

    // Keys belong to a tenant: another tenant's same key is another request.
    const otherTenant = newTenant();
    const otherKey = await gateway.createApiKey(otherTenant, ['submit']);
    const other = await submit(otherKey, await gateway.newUser(otherTenant), {}, headers);
    expect(other.status).toBe(202);
    expect(((await other.json()) as { taskId: string }).taskId).not.toBe(a.taskId);
  });

  it('creates one task for concurrent retries with the same key, and every retry gets it', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit', 'read']);
    const user = await gateway.newUser(tenant);
    const headers = { 'idempotency-key': `concurrent-${Date.now()}` };
    const responses = await Promise.all(Array.from({ length: 12 }, () => submit(key, user, {}, headers)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 202)).toBe(true);
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { taskId: string }).taskId)),
    );
    expect(ids.size).toBe(1);
    const [taskId] = [...ids];
    const list = (await (await get(`/v1/tasks?userId=${user}`, key)).json()) as {
      items: { taskId: string }[];
    };
    expect(list.items.map((i) => i.taskId)).toEqual([taskId]);
    // One task.requested reached Kafka: the projection applied exactly one.
    await waitFor(
      async () => {
        const task = (await (await get(`/v1/tasks/${taskId}`, key)).json()) as {
          timeline: { type: string }[];
        };
        return task.timeline.length > 0 ? task : undefined;
      },
      { timeoutMs: 20_000, description: 'the task.requested event to be applied' },
    );
    const rows = await gateway.mongo
      .collection('task_events')
      .find({ taskId, type: 'task.requested' })
      .toArray();
    expect(rows).toHaveLength(1);
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const tenant = newTenant();
    const key = await gateway.createApiKey(tenant, ['submit']);
    const response = await submit(key, await gateway.newUser(tenant), {}, { 'idempotency-key': 'has space' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('header.idempotency-key');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key has used its burst, per key', async () => {
    const limited = await startGateway(
      { projection: { enabled: false } },
      { TRIBUTARY_AUTH: 'required', TRIBUTARY_RATE_LIMIT_PER_SECOND: '0.5', TRIBUTARY_RATE_LIMIT_BURST: '3' },
    );
    try {
      const tenant = newTenant();
      const key = await limited.createApiKey(tenant, ['read']);
      const other = await limited.createApiKey(tenant, ['read']);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i += 1) {
        last = await limited.fetch('/v1/tasks', { headers: bearer(key) });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last!.headers.get('content-type')).toContain('application/problem+json');
      expect(((await last!.json()) as { type: string }).type).toBe('urn:tributary:problem:rate-limited');
      // Another key of the same tenant has its own bucket.
      expect((await limited.fetch('/v1/tasks', { headers: bearer(other) })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('JWTs from a JWKS URL', () => {
  it('accepts a token signed by a key the JWKS lists, and refuses one signed by another key', async () => {
    const { createServer } = await import('node:http');
    const { exportJWK, generateKeyPair } = await import('jose');
    const issuer = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(issuer.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = (jwks.address() as { port: number }).port;
    const withJwks = await startGateway(
      { projection: { enabled: false } },
      {
        TRIBUTARY_AUTH: 'required',
        TRIBUTARY_JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        TRIBUTARY_JWT_ISSUER: 'https://issuer.test',
        TRIBUTARY_JWT_AUDIENCE: 'tributary',
      },
    );
    try {
      const sign = (key: Parameters<SignJWT['sign']>[0], claims: Record<string, unknown> = {}) =>
        new SignJWT({ tenant_id: newTenant(), scope: 'tributary:read', ...claims })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://issuer.test')
          .setAudience('tributary')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
      const call = async (token: string) =>
        (await withJwks.fetch('/v1/tasks', { headers: bearer(token) })).status;
      expect(await call(await sign(issuer.privateKey))).toBe(200);
      expect(await call(await sign(stranger.privateKey))).toBe(401);
      const wrongAudience = await new SignJWT({ tenant_id: 'x', scope: 'tributary:read' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://issuer.test')
        .setAudience('someone-else')
        .setExpirationTime('5m')
        .sign(issuer.privateKey);
      expect(await call(wrongAudience)).toBe(401);
      // An HMAC token "signed" with something public must not pass a JWKS verifier.
      const hmac = await new SignJWT({ tenant_id: 'x', scope: 'tributary:read' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://issuer.test')
        .setAudience('tributary')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JSON.stringify(jwk)));
      expect(await call(hmac)).toBe(401);
    } finally {
      await withJwks.close();
      jwks.closeAllConnections();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
    }
  });
});

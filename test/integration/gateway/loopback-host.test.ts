import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './harness';

/**
 * Authentication is off only where it is safe: on a loopback bind, for requests that name a loopback
 * host. A browser page on a name re-pointed at 127.0.0.1 (DNS rebinding) sends that name in `Host`.
 */

let open: Gateway;
let secured: Gateway;

beforeAll(async () => {
  // The harness binds 127.0.0.1 and leaves TRIBUTARY_HTTP_HOST at its loopback default: auth is off.
  open = await startGateway({ projection: { enabled: false } });
  secured = await startGateway({ projection: { enabled: false } }, { TRIBUTARY_AUTH: 'required' });
});

afterAll(async () => {
  await open?.close();
  await secured?.close();
});

/** A GET with exactly this `Host` header (fetch would not let a test choose it). */
function getWithHost(
  gateway: Gateway,
  path: string,
  host: string,
): Promise<{ status: number; type: string | undefined; body: string }> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request with no `Host` header at all; resolves with the status line. */
function getWithoutHost(gateway: Gateway, path: string): Promise<string> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('with authentication off on a loopback bind', () => {
  it('answers 421 problem details to a request whose Host is not a loopback name (DNS rebinding), on every path', async () => {
    const port = new URL(open.url).port;
    for (const host of [
      `attacker.example:${port}`,
      'attacker.example',
      `localhost.attacker.example:${port}`,
      `127.0.0.1.attacker.example`,
      `192.168.1.10:${port}`,
    ]) {
      for (const path of ['/v1/tasks', '/health/live', '/docs/json', '/no/such/path']) {
        const answer = await getWithHost(open, path, host);
        expect(answer.status, `${host} ${path}`).toBe(421);
        expect(answer.type).toContain('application/problem+json');
        expect(JSON.parse(answer.body)).toMatchObject({
          type: 'urn:tributary:problem:misdirected-request',
          status: 421,
        });
      }
    }
    expect(await getWithoutHost(open, '/v1/tasks')).toMatch(/^HTTP\/1\.[01] 421 /);
  });

  it('serves requests that name 127.0.0.1, [::1] or localhost, with or without a port', async () => {
    const port = new URL(open.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      '127.0.0.1',
      `localhost:${port}`,
      'LOCALHOST',
      `[::1]:${port}`,
      '[::1]',
    ]) {
      expect((await getWithHost(open, '/v1/tasks', host)).status, host).toBe(200);
    }
  });
});

describe('with authentication on', () => {
  it('serves any Host: credentials, not the address, decide', async () => {
    const answer = await getWithHost(secured, '/v1/tasks', 'tributary.example.com');
    expect(answer.status).toBe(401);
    expect((await getWithHost(secured, '/health/live', 'tributary.example.com')).status).toBe(200);
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, freePort, type SpawnedProcess, spawnBundle } from '@tributary/testing';

/**
 * The gateway's own process (apps/gateway/src/main.ts) refuses to start on a configuration that would
 * expose it: it exits 1 with one line naming the variable. Its Kafka, registry and MongoDB addresses
 * point at a closed port, so a gateway that wrongly started would reach nothing (and is killed).
 */

const UNREACHABLE = {
  TRIBUTARY_KAFKA_BROKERS: '127.0.0.1:1',
  TRIBUTARY_REGISTRY_URL: 'http://127.0.0.1:1',
  TRIBUTARY_MONGO_URI: 'mongodb://127.0.0.1:1/refused',
};

let entry: string;
const started: SpawnedProcess[] = [];

beforeAll(async () => {
  entry = await bundleEntry('apps/gateway/src/main.ts');
});

afterEach(() => {
  for (const process of started.splice(0)) if (process.child.exitCode === null) process.child.kill('SIGKILL');
});

async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const gateway = spawnBundle(entry, {
    ...UNREACHABLE,
    TRIBUTARY_GATEWAY_PORT: String(await freePort()),
    TRIBUTARY_JWT_SECRET: '',
    TRIBUTARY_JWT_JWKS_URL: '',
    TRIBUTARY_AUTH: '',
    TRIBUTARY_HTTP_HOST: '',
    TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND: '',
    ...env,
  });
  started.push(gateway);
  // A gateway that started instead of refusing is killed (and the test fails on its exit code).
  const bound = setTimeout(() => gateway.child.kill('SIGKILL'), 30_000);
  const exit = await gateway.exited;
  clearTimeout(bound);
  return { code: exit.code, output: gateway.output() };
}

describe('the gateway refuses to start', () => {
  it.each([
    [
      'JWTs on without an audience',
      {
        TRIBUTARY_JWT_SECRET: 'a-shared-secret-of-at-least-32-characters',
        TRIBUTARY_JWT_ISSUER: 'https://idp',
      },
      'TRIBUTARY_JWT_AUDIENCE must be set',
    ],
    [
      'JWTs on without an issuer',
      {
        TRIBUTARY_JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
        TRIBUTARY_JWT_AUDIENCE: 'tributary',
      },
      'TRIBUTARY_JWT_ISSUER must be set',
    ],
    [
      'a JWKS URL over plain http to another host',
      {
        TRIBUTARY_JWT_JWKS_URL: 'http://idp.example/.well-known/jwks.json',
        TRIBUTARY_JWT_ISSUER: 'https://idp.example',
        TRIBUTARY_JWT_AUDIENCE: 'tributary',
      },
      'TRIBUTARY_JWT_JWKS_URL must be an https URL',
    ],
    [
      'authentication disabled on a non-loopback bind',
      { TRIBUTARY_AUTH: 'disabled', TRIBUTARY_HTTP_HOST: '0.0.0.0' },
      'TRIBUTARY_AUTH=disabled with TRIBUTARY_HTTP_HOST=0.0.0.0 (not loopback)',
    ],
    [
      'authentication disabled on a non-loopback bind and a consent other than the one phrase',
      {
        TRIBUTARY_AUTH: 'disabled',
        TRIBUTARY_HTTP_HOST: '0.0.0.0',
        TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND: 'yes',
      },
      'TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND must be "i-understand"',
    ],
  ])('with %s, naming the variable', async (_case, env, message) => {
    const { code, output } = await start(env);
    expect(code).toBe(1);
    expect(output).toContain(`gateway refused to start: ${message}`);
  });
});

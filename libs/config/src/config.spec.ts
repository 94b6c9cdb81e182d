import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigError } from './env';

describe('loadConfig', () => {
  it('defaults to the local stack on loopback and the offline LLM', () => {
    const config = loadConfig('research-agent', {});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.registryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.mongoUri).toBe('mongodb://127.0.0.1:27017/tributary');
    expect(config.http.port).toBe(3002);
    expect(config.llm.baseUrl).toBeUndefined();
  });

  it('follows the stack port variables', () => {
    const config = loadConfig('gateway', { TRIBUTARY_KAFKA_PORT: '19092', TRIBUTARY_MONGO_PORT: '27018' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.mongoUri).toBe('mongodb://127.0.0.1:27018/tributary');
  });

  it('gives every task a deadline: 10 minutes unless the request says otherwise, within 1 s and 1 h', () => {
    expect(loadConfig('gateway', {}).deadlines).toEqual({
      defaultMs: 600_000,
      minMs: 1_000,
      maxMs: 3_600_000,
      graceMs: 30_000,
    });
  });

  it('lets a per-agent variable override the shared one', () => {
    const env = { TRIBUTARY_LLM_MODEL: 'shared-model', TRIBUTARY_PLANNER_LLM_MODEL: 'planner-model' };
    expect(loadConfig('planner-agent', env).llm.model).toBe('planner-model');
    expect(loadConfig('reviewer-agent', env).llm.model).toBe('shared-model');
  });

  it('turns gateway authentication off only when it listens on loopback, unless told', () => {
    expect(loadConfig('gateway', {}).gateway.auth.mode).toBe('disabled');
    expect(loadConfig('gateway', { TRIBUTARY_HTTP_HOST: '0.0.0.0' }).gateway.auth.mode).toBe('required');
    expect(loadConfig('gateway', { TRIBUTARY_AUTH: 'required' }).gateway.auth.mode).toBe('required');
    const jwt = loadConfig('gateway', {
      TRIBUTARY_JWT_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
    }).gateway.auth.jwt;
    expect(jwt).toMatchObject({ secret: undefined, tenantClaim: 'tenant_id', scopeClaim: 'scope' });
    expect(
      loadConfig('gateway', { TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1, 10.0.0.0/8, ::1' }).gateway.webhooks.allow,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
  });

  it('retrieves with BM25 alone unless an embeddings endpoint is set; the query model defaults to the item model', () => {
    expect(loadConfig('research-agent', {}).embeddings.baseUrl).toBeUndefined();
    const embeddings = loadConfig('research-agent', {
      TRIBUTARY_EMBEDDINGS_BASE_URL: 'http://127.0.0.1:8180/v1',
      TRIBUTARY_EMBEDDINGS_MODEL: 'e5-passage',
    }).embeddings;
    expect(embeddings).toMatchObject({
      baseUrl: 'http://127.0.0.1:8180/v1',
      model: 'e5-passage',
      queryModel: 'e5-passage',
    });
    expect(
      loadConfig('research-agent', {
        TRIBUTARY_EMBEDDINGS_MODEL: 'e5-passage',
        TRIBUTARY_EMBEDDINGS_QUERY_MODEL: 'e5-query',
      }).embeddings.queryModel,
    ).toBe('e5-query');
  });

  it.each([
    [
      { TRIBUTARY_EMBEDDINGS_BASE_URL: '127.0.0.1 port 8180' },
      'TRIBUTARY_EMBEDDINGS_BASE_URL must be a URL, got "127.0.0.1 port 8180"',
    ],
    [
      { TRIBUTARY_GATEWAY_PORT: 'eighty' },
      'TRIBUTARY_GATEWAY_PORT must be an integer between 1 and 65535, got "eighty"',
    ],
    [{ TRIBUTARY_REGISTRY_URL: 'not a url' }, 'TRIBUTARY_REGISTRY_URL must be a URL, got "not a url"'],
    [
      { TRIBUTARY_LOG_LEVEL: 'loud' },
      'TRIBUTARY_LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
    ],
    [{ TRIBUTARY_AUTH: 'maybe' }, 'TRIBUTARY_AUTH must be one of required, disabled, got "maybe"'],
    [{ TRIBUTARY_JWT_SECRET: 'short' }, 'TRIBUTARY_JWT_SECRET must be at least 32 characters long'],
    [
      { TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1,example.com' },
      'TRIBUTARY_WEBHOOK_ALLOW must list IP addresses or CIDR ranges, got "example.com"',
    ],
    [
      { TRIBUTARY_WEBHOOK_ALLOW: '10.0.0.0/33' },
      'TRIBUTARY_WEBHOOK_ALLOW must list IP addresses or CIDR ranges, got "10.0.0.0/33"',
    ],
    [
      { TRIBUTARY_REVIEW_APPROVE_THRESHOLD: '2' },
      'TRIBUTARY_REVIEW_APPROVE_THRESHOLD must be a number between 0 and 1, got "2"',
    ],
    [
      { TRIBUTARY_TASK_DEADLINE_MS: '7200000' },
      'TRIBUTARY_TASK_DEADLINE_MS must be between TRIBUTARY_TASK_DEADLINE_MIN_MS (1000) and TRIBUTARY_TASK_DEADLINE_MAX_MS (3600000), got 7200000',
    ],
  ])('refuses a bad value and names the variable: %o', (env, message) => {
    expect(() => loadConfig('gateway', env)).toThrow(new ConfigError(message));
  });
});

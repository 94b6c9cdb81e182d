import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { agentSetting } from './replay';
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

  it('serves /metrics on the HTTP port by default, on a port of its own or nowhere when told', () => {
    expect(loadConfig('planner-agent', {}).metrics).toEqual({
      endpoint: { kind: 'http-port' },
      maxTenants: 100,
    });
    expect(loadConfig('gateway', {}).metrics.endpoint).toEqual({ kind: 'http-port' });
    // A gateway with authentication on keeps the tenant-labelled metrics off its public port.
    expect(loadConfig('gateway', { TRIBUTARY_AUTH: 'required' }).metrics.endpoint).toEqual({ kind: 'off' });
    expect(
      loadConfig('gateway', { TRIBUTARY_AUTH: 'required', TRIBUTARY_GATEWAY_METRICS_PORT: 'http' }).metrics
        .endpoint,
    ).toEqual({ kind: 'http-port' });
    expect(
      loadConfig('gateway', { TRIBUTARY_HTTP_HOST: '0.0.0.0', TRIBUTARY_GATEWAY_METRICS_PORT: '9464' })
        .metrics.endpoint,
    ).toEqual({ kind: 'own-port', host: '0.0.0.0', port: 9464 });
    const env = { TRIBUTARY_METRICS_PORT: 'off', TRIBUTARY_RESEARCH_METRICS_PORT: '9100' };
    expect(loadConfig('planner-agent', env).metrics.endpoint).toEqual({ kind: 'off' });
    expect(
      loadConfig('research-agent', { ...env, TRIBUTARY_METRICS_HOST: '10.0.0.5' }).metrics.endpoint,
    ).toEqual({ kind: 'own-port', host: '10.0.0.5', port: 9100 });
    expect(loadConfig('reviewer-agent', { TRIBUTARY_METRICS_PORT: '0' }).metrics.endpoint).toEqual({
      kind: 'off',
    });
    expect(loadConfig('reviewer-agent', { TRIBUTARY_METRICS_MAX_TENANTS: '5' }).metrics.maxTenants).toBe(5);
    expect(() => loadConfig('planner-agent', { TRIBUTARY_PLANNER_METRICS_PORT: 'yes' })).toThrow(
      /TRIBUTARY_PLANNER_METRICS_PORT must be a port number/,
    );
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
    expect(loadConfig('gateway', {}).gateway.auth.loopbackHostsOnly).toBe(true);
    expect(loadConfig('gateway', { TRIBUTARY_AUTH: 'required' }).gateway.auth.loopbackHostsOnly).toBe(false);
    const consented = loadConfig('gateway', {
      TRIBUTARY_HTTP_HOST: '0.0.0.0',
      TRIBUTARY_AUTH: 'disabled',
      TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND: 'i-understand',
    }).gateway.auth;
    expect(consented).toMatchObject({ mode: 'disabled', loopbackHostsOnly: false });
    const jwt = loadConfig('gateway', {
      TRIBUTARY_JWT_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
      TRIBUTARY_JWT_ISSUER: 'https://issuer.example',
      TRIBUTARY_JWT_AUDIENCE: 'tributary',
    }).gateway.auth.jwt;
    expect(jwt).toMatchObject({ secret: undefined, tenantClaim: 'tenant_id', scopeClaim: 'scope' });
    expect(
      loadConfig('gateway', { TRIBUTARY_WEBHOOK_ALLOW: '127.0.0.1, 10.0.0.0/8, ::1' }).gateway.webhooks.allow,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
  });

  it('with JWTs on, requires issuer and audience, an https JWKS URL off loopback, and reads the scope map', () => {
    const jwtEnv = { TRIBUTARY_JWT_ISSUER: 'https://idp.example', TRIBUTARY_JWT_AUDIENCE: 'tributary' };
    const jwks = (url: string) => loadConfig('gateway', { ...jwtEnv, TRIBUTARY_JWT_JWKS_URL: url });
    expect(jwks('http://127.0.0.1:8080/jwks.json').gateway.auth.jwt?.jwksUrl).toBe(
      'http://127.0.0.1:8080/jwks.json',
    );
    expect(jwks('http://localhost/jwks.json').gateway.auth.jwt?.jwksUrl).toBe('http://localhost/jwks.json');
    expect(jwks('http://[::1]:9/jwks.json').gateway.auth.jwt?.jwksUrl).toBe('http://[::1]:9/jwks.json');
    expect(loadConfig('gateway', {}).gateway.auth.jwt).toBeUndefined();
    const map = loadConfig('gateway', {
      ...jwtEnv,
      TRIBUTARY_JWT_SECRET: 'x'.repeat(32),
      TRIBUTARY_JWT_SCOPE_MAP: 'orders:write=submit, orders:write=priority, https://api.example/read=read',
    }).gateway.auth.jwt?.scopeMap;
    expect(Object.fromEntries(map ?? [])).toEqual({
      'orders:write': ['submit', 'priority'],
      'https://api.example/read': ['read'],
    });
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
      { TRIBUTARY_HTTP_TRUST_PROXY: 'proxy.internal' },
      'TRIBUTARY_HTTP_TRUST_PROXY must list IP addresses or CIDR ranges, got "proxy.internal"',
    ],
    [
      { TRIBUTARY_HTTP_HOST: '0.0.0.0', TRIBUTARY_AUTH: 'disabled' },
      'TRIBUTARY_AUTH=disabled with TRIBUTARY_HTTP_HOST=0.0.0.0 (not loopback) lets anyone who reaches the gateway act as tenant "default" with every scope; set TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND=i-understand to accept that, or turn authentication on',
    ],
    [
      {
        TRIBUTARY_HTTP_HOST: '10.0.0.5',
        TRIBUTARY_AUTH: 'disabled',
        TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND: 'yes',
      },
      'TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND must be "i-understand", got "yes"',
    ],
    [
      { TRIBUTARY_JWT_SECRET: 'x'.repeat(32), TRIBUTARY_JWT_AUDIENCE: 'tributary' },
      'TRIBUTARY_JWT_ISSUER must be set when JWTs are accepted (TRIBUTARY_JWT_SECRET or TRIBUTARY_JWT_JWKS_URL): tokens must name this gateway in "iss"',
    ],
    [
      {
        TRIBUTARY_JWT_JWKS_URL: 'https://idp.example/jwks.json',
        TRIBUTARY_JWT_ISSUER: 'https://idp.example',
      },
      'TRIBUTARY_JWT_AUDIENCE must be set when JWTs are accepted (TRIBUTARY_JWT_SECRET or TRIBUTARY_JWT_JWKS_URL): tokens must name this gateway in "aud"',
    ],
    [
      { TRIBUTARY_JWT_JWKS_URL: 'http://idp.example/jwks.json' },
      'TRIBUTARY_JWT_JWKS_URL must be an https URL (http only on a loopback host), got "http://idp.example/jwks.json"',
    ],
    [
      {
        TRIBUTARY_JWT_SECRET: 'x'.repeat(32),
        TRIBUTARY_JWT_ISSUER: 'i',
        TRIBUTARY_JWT_AUDIENCE: 'a',
        TRIBUTARY_JWT_SCOPE_MAP: 'admin=root',
      },
      'TRIBUTARY_JWT_SCOPE_MAP must list <token scope>=<submit|read|cancel|priority|admin> pairs separated by commas, got "admin=root"',
    ],
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

describe('loadConfig: a secured Kafka cluster and registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'client.pem');
  const keyFile = join(dir, 'client.key');
  const notPem = join(dir, 'not.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n');
  writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMIIE-key-bytes\n-----END PRIVATE KEY-----\n');
  writeFileSync(notPem, 'hello');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to plaintext, no SASL, replication factor 1 and the broker’s min.insync.replicas', () => {
    const { kafka, registryCredentials } = loadConfig('gateway', {});
    expect(kafka).toMatchObject({ ssl: undefined, sasl: undefined, replicationFactor: 1 });
    expect(kafka.minInsyncReplicas).toBeUndefined();
    expect(registryCredentials).toBeUndefined();
  });

  it('reads the SASL mechanism (either spelling), user and password, and the replication settings', () => {
    const { kafka } = loadConfig('gateway', {
      TRIBUTARY_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      TRIBUTARY_KAFKA_SASL_USERNAME: 'svc-gateway',
      TRIBUTARY_KAFKA_SASL_PASSWORD: ' pass word ',
      TRIBUTARY_KAFKA_REPLICATION_FACTOR: '3',
      TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    expect(kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(kafka.sasl?.username).toBe('svc-gateway');
    expect(kafka.sasl?.password.reveal()).toBe(' pass word ');
    expect(kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('reads the CA, client certificate and key once, at start-up; naming a file turns TLS on', () => {
    const { ssl } = loadConfig('gateway', {
      TRIBUTARY_KAFKA_SSL_CA_FILE: caFile,
      TRIBUTARY_KAFKA_SSL_CERT_FILE: certFile,
      TRIBUTARY_KAFKA_SSL_KEY_FILE: keyFile,
      TRIBUTARY_KAFKA_SSL_KEY_PASSWORD: 'key-pass',
    }).kafka;
    expect(ssl?.ca).toBe(readFileSync(caFile, 'utf8'));
    expect(ssl?.cert).toBe(readFileSync(certFile, 'utf8'));
    expect(ssl?.key?.reveal()).toBe(readFileSync(keyFile, 'utf8'));
    expect(ssl?.keyPassword?.reveal()).toBe('key-pass');
    expect(ssl?.rejectUnauthorized).toBe(true);
    expect(loadConfig('gateway', { TRIBUTARY_KAFKA_SSL: 'true' }).kafka.ssl).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
      keyPassword: undefined,
      rejectUnauthorized: true,
    });
  });

  it('never prints a password or private key: not as a string, JSON or inspected object', () => {
    const config = loadConfig('gateway', {
      TRIBUTARY_KAFKA_SASL_MECHANISM: 'plain',
      TRIBUTARY_KAFKA_SASL_USERNAME: 'svc',
      TRIBUTARY_KAFKA_SASL_PASSWORD: 'kafka-sasl-password',
      TRIBUTARY_KAFKA_SSL_CERT_FILE: certFile,
      TRIBUTARY_KAFKA_SSL_KEY_FILE: keyFile,
      TRIBUTARY_KAFKA_SSL_KEY_PASSWORD: 'key-passphrase',
      TRIBUTARY_REGISTRY_USERNAME: 'registry-user',
      TRIBUTARY_REGISTRY_PASSWORD: 'registry-password',
    });
    const printed = [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      `${String(config.kafka.sasl?.password)}`,
      format('%o', config),
    ].join('\n');
    for (const secret of ['kafka-sasl-password', 'MIIE-key-bytes', 'key-passphrase', 'registry-password']) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toContain('[redacted]');
    expect(config.registryCredentials?.username).toBe('registry-user');
    expect(config.registryCredentials?.password.reveal()).toBe('registry-password');
  });

  it.each([
    [
      { TRIBUTARY_KAFKA_SASL_MECHANISM: 'scram-sha-256' },
      'TRIBUTARY_KAFKA_SASL_MECHANISM is scram-sha-256, so TRIBUTARY_KAFKA_SASL_USERNAME must be set',
    ],
    [
      { TRIBUTARY_KAFKA_SASL_MECHANISM: 'plain', TRIBUTARY_KAFKA_SASL_USERNAME: 'svc' },
      'TRIBUTARY_KAFKA_SASL_MECHANISM is plain, so TRIBUTARY_KAFKA_SASL_PASSWORD must be set',
    ],
    [
      { TRIBUTARY_KAFKA_SASL_USERNAME: 'svc', TRIBUTARY_KAFKA_SASL_PASSWORD: 'secret' },
      'TRIBUTARY_KAFKA_SASL_USERNAME is set but TRIBUTARY_KAFKA_SASL_MECHANISM is not (one of plain, scram-sha-256, scram-sha-512)',
    ],
    [
      { TRIBUTARY_KAFKA_SASL_MECHANISM: 'gssapi' },
      'TRIBUTARY_KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"',
    ],
    [
      { TRIBUTARY_KAFKA_REPLICATION_FACTOR: '2', TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS: '3' },
      "TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS (3) must not exceed TRIBUTARY_KAFKA_REPLICATION_FACTOR (2): no write could ever be acknowledged by all of its topics' in-sync replicas",
    ],
    [
      { TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS: '2' },
      "TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS (2) must not exceed TRIBUTARY_KAFKA_REPLICATION_FACTOR (1): no write could ever be acknowledged by all of its topics' in-sync replicas",
    ],
    [
      { TRIBUTARY_KAFKA_REPLICATION_FACTOR: '0' },
      'TRIBUTARY_KAFKA_REPLICATION_FACTOR must be an integer between 1 and 32, got "0"',
    ],
    [
      { TRIBUTARY_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' },
      'TRIBUTARY_KAFKA_SSL_CA_FILE names a file that cannot be read: /nonexistent/ca.pem (ENOENT)',
    ],
    [
      { TRIBUTARY_KAFKA_SSL_CA_FILE: notPem },
      'TRIBUTARY_KAFKA_SSL_CA_FILE must name a PEM file with a certificate (no "-----BEGIN …" line found)',
    ],
    [
      { TRIBUTARY_KAFKA_SSL_KEY_FILE: caFile, TRIBUTARY_KAFKA_SSL_CERT_FILE: certFile },
      'TRIBUTARY_KAFKA_SSL_KEY_FILE must name a PEM file with a private key (no "-----BEGIN …" line found)',
    ],
    [
      { TRIBUTARY_KAFKA_SSL_CERT_FILE: certFile },
      'TRIBUTARY_KAFKA_SSL_CERT_FILE and TRIBUTARY_KAFKA_SSL_KEY_FILE go together (a client certificate and its key)',
    ],
    [
      { TRIBUTARY_KAFKA_SSL: 'false', TRIBUTARY_KAFKA_SSL_CA_FILE: caFile },
      'TRIBUTARY_KAFKA_SSL_CA_FILE is set but TRIBUTARY_KAFKA_SSL is false',
    ],
    [
      { TRIBUTARY_REGISTRY_USERNAME: 'svc' },
      'TRIBUTARY_REGISTRY_USERNAME is set, so TRIBUTARY_REGISTRY_PASSWORD must be set too',
    ],
    [
      { TRIBUTARY_REGISTRY_PASSWORD: 'secret' },
      'TRIBUTARY_REGISTRY_PASSWORD is set, so TRIBUTARY_REGISTRY_USERNAME must be set too',
    ],
    [
      { TRIBUTARY_REGISTRY_URL: 'https://svc:hunter2@registry.example/apis/ccompat/v7' },
      'TRIBUTARY_REGISTRY_URL must not carry a user name or password: set TRIBUTARY_REGISTRY_USERNAME and TRIBUTARY_REGISTRY_PASSWORD',
    ],
  ])(
    'refuses to start with an incomplete or contradictory security setting and names the variable: %o',
    (env, message) => {
      expect(() => loadConfig('gateway', env)).toThrow(new ConfigError(message));
    },
  );
});

describe('namespaces and replays', () => {
  it('gives agents a namespace, refuses it to the gateway, and a replay only in a namespace', () => {
    expect(loadConfig('planner-agent', { TRIBUTARY_NAMESPACE: 'replay-1' }).namespace).toBe('replay-1');
    expect(loadConfig('planner-agent', {}).namespace).toBe('');
    expect(() => loadConfig('gateway', { TRIBUTARY_NAMESPACE: 'replay-1' })).toThrow(ConfigError);
    expect(() => loadConfig('planner-agent', { TRIBUTARY_NAMESPACE: 'Bad NS' })).toThrow(ConfigError);
    expect(() => loadConfig('planner-agent', { TRIBUTARY_REPLAY: 'true' })).toThrow(/TRIBUTARY_NAMESPACE/);
    expect(
      loadConfig('reviewer-agent', {
        TRIBUTARY_NAMESPACE: 'replay-1',
        TRIBUTARY_REPLAY: 'true',
        TRIBUTARY_REPLAY_LIVE_LLM: 'true',
        TRIBUTARY_REPLAY_LLM_BUDGET: '5',
      }).replay,
    ).toEqual({ source: '', liveLlm: true, llmBudget: 5 });
  });

  it('maps --set settings to the variables of the agent they belong to', () => {
    expect(agentSetting('reviewer.approveThreshold=0.9')).toEqual({
      agent: 'reviewer',
      variable: 'TRIBUTARY_REVIEW_APPROVE_THRESHOLD',
      value: '0.9',
    });
    expect(agentSetting('research.llm.model=gpt-x').variable).toBe('TRIBUTARY_RESEARCH_LLM_MODEL');
    expect(() => agentSetting('planner.approveThreshold=0.9')).toThrow(/no such setting/);
    expect(() => agentSetting('nonsense')).toThrow(ConfigError);
  });
});

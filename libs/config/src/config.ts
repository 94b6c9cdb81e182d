import { isIP } from 'node:net';
import { ConfigError, type Env, EnvReader } from './env';
import { type KafkaConfig, readKafkaConfig, readRegistryConfig, type RegistryConfig } from './kafka';
import { readNamespace, type ReplayConfig, readReplayConfig } from './replay';
import { readTracingConfig, type TracingConfig } from './tracing';

export const SERVICES = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'] as const;
export type ServiceName = (typeof SERVICES)[number];

const DEFAULT_HTTP_PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  'planner-agent': 3001,
  'research-agent': 3002,
  'reviewer-agent': 3003,
};

export interface RuntimeConfig {
  /** How many messages (of distinct keys) one consumer handles at once. */
  readonly concurrency: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /**
   * How long an idle fetch waits for data at the broker (kafkajs' `maxWaitTimeInMs`; at most the
   * heartbeat interval). Data ends the wait at once, so it costs no latency, except that a consumer
   * paused by back-pressure, or told of a rebalance at its next heartbeat, waits for the fetch to end.
   */
  readonly fetchMaxWaitMs: number;
  /** Attempts through the retry topic before a message is dead-lettered. */
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /**
   * Groups that wait out an outage in place (failure policy `hold-partition`): the first wait after a
   * transient failure, doubling up to the longest, which is also how late a recovery can be noticed.
   */
  readonly holdBaseDelayMs: number;
  readonly holdMaxDelayMs: number;
}

/** How fast the MongoDB driver gives up on a store that stopped answering (see connectMongo). */
export interface MongoTimeoutsConfig {
  readonly serverSelectionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly heartbeatFrequencyMs: number;
  readonly socketTimeoutMs: number;
}

export interface LlmConfig {
  /** Undefined means the offline, deterministic provider. */
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/**
 * Dense retrieval beside BM25: any OpenAI-compatible `/v1/embeddings` endpoint. Models trained with
 * separate query and passage forms (e5) are reached by two model names on servers that serve both.
 */
export interface EmbeddingsConfig {
  /** Undefined means BM25 alone. */
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  /** The model that embeds catalogue items; stored vectors are keyed by it. */
  readonly model: string;
  /** The model that embeds search queries; `model` unless set. */
  readonly queryModel: string;
  readonly timeoutMs: number;
  /** Texts sent in one request when the catalogue is embedded. */
  readonly batchSize: number;
  /** The k of reciprocal-rank fusion: smaller lets a first place count for more against agreement. */
  readonly rrfK: number;
}

/** Every task has a deadline; past it, it fails with deadline-exceeded (docs/adr/0010). */
export interface DeadlineConfig {
  /** A task's deadline, from its submission, when the request names none. */
  readonly defaultMs: number;
  /** The range a request's own `deadline` must be in. */
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * How long after a deadline the gateway's deadline consumer ends a task the read model does not
   * show ended (an agent holding the task ends it at the deadline itself); agents leave a task that
   * reaches a step later than this to the gateway.
   */
  readonly graceMs: number;
}

function readDeadlineConfig(read: EnvReader): DeadlineConfig {
  const week = 7 * 86_400_000;
  const minMs = read.int('TRIBUTARY_TASK_DEADLINE_MIN_MS', 1_000, { min: 1_000, max: week });
  const maxMs = read.int('TRIBUTARY_TASK_DEADLINE_MAX_MS', 3_600_000, { min: 1_000, max: week });
  const defaultMs = read.int('TRIBUTARY_TASK_DEADLINE_MS', 600_000, { min: 1_000, max: week });
  if (minMs > maxMs) {
    throw new ConfigError(
      'TRIBUTARY_TASK_DEADLINE_MIN_MS must not be greater than TRIBUTARY_TASK_DEADLINE_MAX_MS',
    );
  }
  if (defaultMs < minMs || defaultMs > maxMs) {
    throw new ConfigError(
      `TRIBUTARY_TASK_DEADLINE_MS must be between TRIBUTARY_TASK_DEADLINE_MIN_MS (${minMs}) and TRIBUTARY_TASK_DEADLINE_MAX_MS (${maxMs}), got ${defaultMs}`,
    );
  }
  return {
    defaultMs,
    minMs,
    maxMs,
    graceMs: read.int('TRIBUTARY_TASK_DEADLINE_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
  };
}

export type AuthMode = 'required' | 'disabled';

/**
 * What a credential may do at the gateway (its auth/scopes.ts gives them meaning). Named here because
 * the configuration refers to them (`TRIBUTARY_JWT_SCOPE_MAP`) and must refuse an unknown one.
 */
export const API_SCOPES = ['submit', 'read', 'cancel', 'priority', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A JWT scope `tributary:<scope>` grants `<scope>`; a plain `admin` (another application's) grants nothing. */
export const JWT_SCOPE_NAMESPACE = 'tributary:';

export interface JwtConfig {
  /** HS256 shared secret (at least 32 characters); or verify against `jwksUrl`. */
  readonly secret: string | undefined;
  /** `https`, or `http` on a loopback host. */
  readonly jwksUrl: string | undefined;
  /** Required `iss`: with JWTs on, the gateway does not start without it. */
  readonly issuer: string;
  /** Required `aud`: with JWTs on, the gateway does not start without it. */
  readonly audience: string;
  /** The claim naming the caller's tenant. */
  readonly tenantClaim: string;
  /** The claim with the scopes: a space-separated string or an array. */
  readonly scopeClaim: string;
  /**
   * Scope names of the identity provider that grant a gateway scope, besides the namespaced
   * `tributary:<scope>` ones (`TRIBUTARY_JWT_SCOPE_MAP=orders.write=submit,orders.read=read`).
   */
  readonly scopeMap: ReadonlyMap<string, readonly ApiScope[]>;
}

export interface GatewayConfig {
  readonly auth: {
    /** `disabled`: every caller is tenant `default` with every scope (a local, single-user gateway). */
    readonly mode: AuthMode;
    /**
     * Auth is off because the gateway listens on loopback only: it then answers only requests whose
     * `Host` is a loopback name, so a web page cannot reach it through a name re-pointed at
     * 127.0.0.1 (DNS rebinding). False when auth is on, or off on a public bind by the operator's word.
     */
    readonly loopbackHostsOnly: boolean;
    /** Set when JWTs are accepted besides API keys. */
    readonly jwt: JwtConfig | undefined;
  };
  readonly limits: {
    /** Token-bucket refill per API key (or JWT subject), requests per second. */
    readonly ratePerSecond: number;
    /** Token-bucket size: the burst a key may send at once. */
    readonly burst: number;
    /** Tasks a tenant may have running at once; 0 means no cap. */
    readonly maxInFlightTasks: number;
    /**
     * Requests without valid credentials, per client address: a token bucket of this size, refilled
     * at this rate; an address whose bucket is empty gets 429 before its credentials are looked up.
     */
    readonly unauthenticatedRatePerSecond: number;
    readonly unauthenticatedBurst: number;
  };
  readonly streams: {
    /** Event streams (SSE) one API key or JWT subject may hold open at once on one gateway. */
    readonly maxPerCredential: number;
    /** Event streams one tenant may hold open at once on one gateway. */
    readonly maxPerTenant: number;
    /** A stream is ended after this long; the client resumes with `Last-Event-ID`. */
    readonly maxLifetimeMs: number;
  };
  readonly webhooks: {
    /** Addresses or CIDR ranges a webhook may target although they are loopback, private or link-local. */
    readonly allow: readonly string[];
    /** Time box of one delivery attempt, connection to last byte. */
    readonly timeoutMs: number;
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    /** Attempts stop once this long has passed since the first one. */
    readonly maxAgeMs: number;
    /** Deliveries in flight at once. */
    readonly concurrency: number;
    /**
     * Deliveries in flight at once for one tenant: a tenant's slow or failing endpoint holds at most
     * this many of the `concurrency` slots; its other deliveries wait in the retry topic.
     */
    readonly tenantConcurrency: number;
  };
}

/** IP addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`); host names are refused (they resolve). */
function readAllowList(read: EnvReader, name: string): string[] {
  const entries = read.list(name, []);
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(`${name} must list IP addresses or CIDR ranges, got "${entry}"`);
    }
  }
  return entries;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** A loopback host name or address as a URL spells it (`[::1]`, `127.0.0.2`, `localhost`). */
function isLoopbackUrlHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Keys are fetched from it: over TLS, unless they never leave this machine. */
function readJwksUrl(read: EnvReader): string | undefined {
  const url = read.optionalUrl('TRIBUTARY_JWT_JWKS_URL');
  if (url === undefined) return undefined;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:' || (protocol === 'http:' && isLoopbackUrlHost(hostname))) return url;
  throw new ConfigError(
    `TRIBUTARY_JWT_JWKS_URL must be an https URL (http only on a loopback host), got "${url}"`,
  );
}

/** `idp.scope=submit,other.scope=read`: comma-separated `<provider scope>=<gateway scope>` pairs. */
function readScopeMap(read: EnvReader): Map<string, ApiScope[]> {
  const name = 'TRIBUTARY_JWT_SCOPE_MAP';
  const map = new Map<string, ApiScope[]>();
  for (const entry of read.list(name, [])) {
    const split = entry.lastIndexOf('=');
    const from = entry.slice(0, split).trim();
    const to = entry.slice(split + 1).trim();
    if (split <= 0 || from === '' || /\s/.test(from) || !(API_SCOPES as readonly string[]).includes(to)) {
      throw new ConfigError(
        `${name} must list <token scope>=<${API_SCOPES.join('|')}> pairs separated by commas, got "${entry}"`,
      );
    }
    map.set(from, [...new Set([...(map.get(from) ?? []), to as ApiScope])]);
  }
  return map;
}

function readJwtConfig(read: EnvReader): JwtConfig | undefined {
  const secret = read.optionalString('TRIBUTARY_JWT_SECRET');
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('TRIBUTARY_JWT_SECRET must be at least 32 characters long');
  }
  const jwksUrl = readJwksUrl(read);
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('set TRIBUTARY_JWT_SECRET or TRIBUTARY_JWT_JWKS_URL, not both');
  }
  if (secret === undefined && jwksUrl === undefined) return undefined;
  // Without both, a token minted by the same identity provider for another application would pass.
  const required = (name: string, claim: string): string => {
    const value = read.optionalString(name);
    if (value === undefined) {
      throw new ConfigError(
        `${name} must be set when JWTs are accepted (TRIBUTARY_JWT_SECRET or TRIBUTARY_JWT_JWKS_URL): ` +
          `tokens must name this gateway in "${claim}"`,
      );
    }
    return value;
  };
  return {
    secret,
    jwksUrl,
    issuer: required('TRIBUTARY_JWT_ISSUER', 'iss'),
    audience: required('TRIBUTARY_JWT_AUDIENCE', 'aud'),
    tenantClaim: read.string('TRIBUTARY_JWT_TENANT_CLAIM', 'tenant_id'),
    scopeClaim: read.string('TRIBUTARY_JWT_SCOPE_CLAIM', 'scope'),
    scopeMap: readScopeMap(read),
  };
}

/** The one value of TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND that switches auth off beyond loopback. */
export const AUTH_DISABLED_ON_PUBLIC_BIND_CONSENT = 'i-understand';

function readAuthMode(read: EnvReader, httpHost: string): { mode: AuthMode; loopbackHostsOnly: boolean } {
  const loopbackBind = LOOPBACK_HOSTS.has(httpHost);
  // Secure unless the gateway only listens on this machine: `npm start` stays one command.
  const mode = read.oneOf('TRIBUTARY_AUTH', ['required', 'disabled'], loopbackBind ? 'disabled' : 'required');
  if (mode === 'disabled' && !loopbackBind) {
    const name = 'TRIBUTARY_AUTH_DISABLED_ON_PUBLIC_BIND';
    const consent = read.raw(name);
    if (consent === undefined) {
      throw new ConfigError(
        `TRIBUTARY_AUTH=disabled with TRIBUTARY_HTTP_HOST=${httpHost} (not loopback) lets anyone who reaches ` +
          `the gateway act as tenant "default" with every scope; set ${name}=${AUTH_DISABLED_ON_PUBLIC_BIND_CONSENT} ` +
          'to accept that, or turn authentication on',
      );
    }
    if (consent !== AUTH_DISABLED_ON_PUBLIC_BIND_CONSENT) {
      throw new ConfigError(`${name} must be "${AUTH_DISABLED_ON_PUBLIC_BIND_CONSENT}", got "${consent}"`);
    }
  }
  return { mode, loopbackHostsOnly: mode === 'disabled' && loopbackBind };
}

function readGatewayConfig(read: EnvReader, httpHost: string): GatewayConfig {
  const jwt = readJwtConfig(read);
  const webhookConcurrency = read.int('TRIBUTARY_WEBHOOK_CONCURRENCY', 16, { min: 1, max: 1_000 });
  return {
    auth: { ...readAuthMode(read, httpHost), jwt },
    limits: {
      ratePerSecond: read.number('TRIBUTARY_RATE_LIMIT_PER_SECOND', 20, { min: 0.001, max: 1_000_000 }),
      burst: read.int('TRIBUTARY_RATE_LIMIT_BURST', 40, { min: 1, max: 1_000_000 }),
      maxInFlightTasks: read.int('TRIBUTARY_MAX_IN_FLIGHT_TASKS', 100, { min: 0, max: 10_000_000 }),
      unauthenticatedRatePerSecond: read.number('TRIBUTARY_UNAUTHENTICATED_RATE_LIMIT_PER_SECOND', 1, {
        min: 0.001,
        max: 1_000_000,
      }),
      unauthenticatedBurst: read.int('TRIBUTARY_UNAUTHENTICATED_RATE_LIMIT_BURST', 20, {
        min: 1,
        max: 1_000_000,
      }),
    },
    streams: {
      maxPerCredential: read.int('TRIBUTARY_SSE_MAX_STREAMS_PER_CREDENTIAL', 20, { min: 1, max: 1_000_000 }),
      maxPerTenant: read.int('TRIBUTARY_SSE_MAX_STREAMS_PER_TENANT', 200, { min: 1, max: 1_000_000 }),
      maxLifetimeMs: read.int('TRIBUTARY_SSE_MAX_LIFETIME_MS', 3_600_000, {
        min: 1_000,
        max: 7 * 86_400_000,
      }),
    },
    webhooks: {
      allow: readAllowList(read, 'TRIBUTARY_WEBHOOK_ALLOW'),
      timeoutMs: read.int('TRIBUTARY_WEBHOOK_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 }),
      retryBaseDelayMs: read.int('TRIBUTARY_WEBHOOK_RETRY_BASE_DELAY_MS', 5_000, { min: 0, max: 3_600_000 }),
      retryMaxDelayMs: read.int('TRIBUTARY_WEBHOOK_RETRY_MAX_DELAY_MS', 7_200_000, {
        min: 0,
        max: 86_400_000,
      }),
      maxAgeMs: read.int('TRIBUTARY_WEBHOOK_MAX_AGE_MS', 86_400_000, { min: 0, max: 7 * 86_400_000 }),
      concurrency: webhookConcurrency,
      tenantConcurrency: read.int(
        'TRIBUTARY_WEBHOOK_TENANT_CONCURRENCY',
        Math.max(1, Math.ceil(webhookConcurrency / 4)),
        { min: 1, max: webhookConcurrency },
      ),
    },
  };
}

function readEmbeddingsConfig(read: EnvReader): EmbeddingsConfig {
  const model = read.string('TRIBUTARY_EMBEDDINGS_MODEL', 'text-embedding-3-small');
  return {
    baseUrl: read.optionalUrl('TRIBUTARY_EMBEDDINGS_BASE_URL'),
    apiKey: read.optionalString('TRIBUTARY_EMBEDDINGS_API_KEY'),
    model,
    queryModel: read.string('TRIBUTARY_EMBEDDINGS_QUERY_MODEL', model),
    timeoutMs: read.int('TRIBUTARY_EMBEDDINGS_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
    batchSize: read.int('TRIBUTARY_EMBEDDINGS_BATCH_SIZE', 32, { min: 1, max: 2048 }),
    rrfK: read.int('TRIBUTARY_EMBEDDINGS_RRF_K', 60, { min: 0, max: 1000 }),
  };
}

/**
 * Where `/metrics` (Prometheus text format) is served: on the service's own HTTP port, on a port of
 * its own (a listener that serves nothing else), or nowhere.
 */
export type MetricsEndpoint =
  | { readonly kind: 'http-port' }
  | { readonly kind: 'own-port'; readonly host: string; readonly port: number }
  | { readonly kind: 'off' };

export interface MetricsConfig {
  readonly endpoint: MetricsEndpoint;
  /**
   * Distinct tenants a metric names; the tenants seen after these are counted under `_other`, so a
   * flood of new tenants cannot grow the number of series without bound.
   */
  readonly maxTenants: number;
}

/**
 * `TRIBUTARY_METRICS_PORT` (or `TRIBUTARY_<SERVICE>_METRICS_PORT`): unset serves `/metrics` on the
 * service's HTTP port; a port number, on a listener of its own; `off` (or 0), nowhere. A gateway
 * with authentication on does not serve it on its API port unless told: the labels name tenants.
 */
function readMetricsConfig(
  read: EnvReader,
  scoped: (name: string) => string,
  http: { host: string; port: number },
  apiPortOpen: boolean,
): MetricsConfig {
  const name = scoped('METRICS_PORT');
  const raw = read.raw(name)?.toLowerCase();
  const maxTenants = read.int('TRIBUTARY_METRICS_MAX_TENANTS', 100, { min: 1, max: 100_000 });
  if (raw === 'off' || raw === '0') return { endpoint: { kind: 'off' }, maxTenants };
  if (raw === undefined || raw === 'http') {
    return { endpoint: apiPortOpen || raw === 'http' ? { kind: 'http-port' } : { kind: 'off' }, maxTenants };
  }
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`${name} must be a port number, "http" or "off", got "${raw}"`);
  }
  const port = Number(raw);
  if (port === http.port) return { endpoint: { kind: 'http-port' }, maxTenants };
  return {
    endpoint: { kind: 'own-port', host: read.string('TRIBUTARY_METRICS_HOST', http.host), port },
    maxTenants,
  };
}

export interface TributaryConfig extends RegistryConfig {
  readonly service: ServiceName;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** A client must send a request's headers within this time, or the connection is closed (slow-loris guard). */
    readonly headersTimeoutMs: number;
    /** A client must send a whole request (headers and body) within this time, or gets 408. */
    readonly requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this time. */
    readonly keepAliveTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed (event streams send heartbeats). */
    readonly connectionTimeoutMs: number;
    /**
     * Proxies (IP addresses, CIDR ranges) whose `X-Forwarded-For` names the client, so per-address
     * limits count clients rather than the proxy. Empty: the peer address is the client.
     */
    readonly trustProxy: readonly string[];
  };
  readonly kafka: KafkaConfig;
  /**
   * The namespace this process works in (`TRIBUTARY_NAMESPACE`, agents only): its topics, consumer
   * groups, retry and dead-letter topics and the store collections it writes are its own. '' = live.
   */
  readonly namespace: string;
  /** Set when the agent replays recorded tasks (`tributary replay run`), in `namespace`. */
  readonly replay: ReplayConfig | undefined;
  readonly mongoUri: string;
  readonly mongoTimeouts: MongoTimeoutsConfig;
  readonly runtime: RuntimeConfig;
  readonly llm: LlmConfig;
  readonly embeddings: EmbeddingsConfig;
  readonly review: { readonly maxRounds: number; readonly approveThreshold: number };
  readonly deadlines: DeadlineConfig;
  readonly dataDir: string;
  readonly gateway: GatewayConfig;
  readonly metrics: MetricsConfig;
  /** OpenTelemetry tracing (the standard `OTEL_*` variables); off without an OTLP endpoint. */
  readonly tracing: TracingConfig;
}

function envPrefix(service: ServiceName): string {
  return service.replace(/-agent$/, '').toUpperCase();
}

/**
 * Reads the whole configuration of one service, once, at start-up.
 * Per-service variables (TRIBUTARY_PLANNER_LLM_MODEL) override shared ones (TRIBUTARY_LLM_MODEL).
 */
export function loadConfig(service: ServiceName, env: Env): TributaryConfig {
  const read = new EnvReader(env);
  const prefix = envPrefix(service);
  const scoped = (name: string): string =>
    read.raw(`TRIBUTARY_${prefix}_${name}`) !== undefined
      ? `TRIBUTARY_${prefix}_${name}`
      : `TRIBUTARY_${name}`;

  const mongoPort = read.port('TRIBUTARY_MONGO_PORT', 27017);
  const httpHost = read.string('TRIBUTARY_HTTP_HOST', '127.0.0.1');
  const httpPort = read.port(`TRIBUTARY_${prefix}_PORT`, DEFAULT_HTTP_PORTS[service]);
  const gateway = readGatewayConfig(read, httpHost);
  // Agents serve health (and metrics) only; the gateway's port is its public API.
  const apiPortOpen = service !== 'gateway' || gateway.auth.mode === 'disabled';
  const namespace = readNamespace(read, service);

  return {
    service,
    logLevel: read.oneOf('TRIBUTARY_LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
    http: {
      host: httpHost,
      port: httpPort,
      headersTimeoutMs: read.int('TRIBUTARY_HTTP_HEADERS_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
      requestTimeoutMs: read.int('TRIBUTARY_HTTP_REQUEST_TIMEOUT_MS', 30_000, { min: 100, max: 3_600_000 }),
      // Above the 60 s idle timeout of common load balancers, so the gateway is not the one to close first.
      keepAliveTimeoutMs: read.int('TRIBUTARY_HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, {
        min: 100,
        max: 3_600_000,
      }),
      // Well above the event streams' heartbeat (15 s) and the longest wait of a request (10 s).
      connectionTimeoutMs: read.int('TRIBUTARY_HTTP_CONNECTION_TIMEOUT_MS', 120_000, {
        min: 1_000,
        max: 3_600_000,
      }),
      trustProxy: readAllowList(read, 'TRIBUTARY_HTTP_TRUST_PROXY'),
    },
    kafka: readKafkaConfig(read, `tributary-${service}`),
    ...readRegistryConfig(read),
    namespace,
    replay: readReplayConfig(read, namespace),
    mongoUri: read.url('TRIBUTARY_MONGO_URI', `mongodb://127.0.0.1:${mongoPort}/tributary`),
    mongoTimeouts: {
      serverSelectionTimeoutMs: read.int('TRIBUTARY_MONGO_SERVER_SELECTION_TIMEOUT_MS', 5_000, {
        min: 100,
        max: 300_000,
      }),
      connectTimeoutMs: read.int('TRIBUTARY_MONGO_CONNECT_TIMEOUT_MS', 2_000, { min: 100, max: 300_000 }),
      heartbeatFrequencyMs: read.int('TRIBUTARY_MONGO_HEARTBEAT_MS', 1_000, { min: 500, max: 300_000 }),
      socketTimeoutMs: read.int('TRIBUTARY_MONGO_SOCKET_TIMEOUT_MS', 30_000, { min: 0, max: 3_600_000 }),
    },
    runtime: {
      concurrency: read.int('TRIBUTARY_CONCURRENCY', 16, { min: 1, max: 10_000 }),
      sessionTimeoutMs: read.int('TRIBUTARY_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
      heartbeatIntervalMs: read.int('TRIBUTARY_HEARTBEAT_INTERVAL_MS', 3_000, { min: 100, max: 60_000 }),
      fetchMaxWaitMs: read.int('TRIBUTARY_FETCH_MAX_WAIT_MS', 3_000, { min: 10, max: 60_000 }),
      maxAttempts: read.int('TRIBUTARY_MAX_ATTEMPTS', 4, { min: 1, max: 100 }),
      retryBaseDelayMs: read.int('TRIBUTARY_RETRY_BASE_DELAY_MS', 500, { min: 0, max: 3_600_000 }),
      retryMaxDelayMs: read.int('TRIBUTARY_RETRY_MAX_DELAY_MS', 60_000, { min: 0, max: 86_400_000 }),
      holdBaseDelayMs: read.int('TRIBUTARY_HOLD_BASE_DELAY_MS', 500, { min: 1, max: 3_600_000 }),
      holdMaxDelayMs: read.int('TRIBUTARY_HOLD_MAX_DELAY_MS', 10_000, { min: 1, max: 3_600_000 }),
    },
    llm: {
      baseUrl: read.optionalUrl(scoped('LLM_BASE_URL')),
      apiKey: read.optionalString(scoped('LLM_API_KEY')),
      model: read.string(scoped('LLM_MODEL'), 'gpt-4o-mini'),
      timeoutMs: read.int(scoped('LLM_TIMEOUT_MS'), 120_000, { min: 1_000, max: 3_600_000 }),
      maxRetries: read.int(scoped('LLM_MAX_RETRIES'), 3, { min: 0, max: 20 }),
    },
    embeddings: readEmbeddingsConfig(read),
    review: {
      maxRounds: read.int('TRIBUTARY_REVIEW_MAX_ROUNDS', 3, { min: 1, max: 10 }),
      approveThreshold: read.number('TRIBUTARY_REVIEW_APPROVE_THRESHOLD', 0.7, { min: 0, max: 1 }),
    },
    deadlines: readDeadlineConfig(read),
    dataDir: read.string('TRIBUTARY_DATA_DIR', 'data'),
    gateway,
    metrics: readMetricsConfig(read, scoped, { host: httpHost, port: httpPort }, apiPortOpen),
    tracing: readTracingConfig(read, service),
  };
}

/** The one place the process environment is read: at start-up, into a validated object. */
export function loadConfigFromProcess(service: ServiceName): TributaryConfig {
  return loadConfig(service, process.env);
}

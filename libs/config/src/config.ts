import { isIP } from 'node:net';
import { ConfigError, type Env, EnvReader } from './env';

export const SERVICES = ['gateway', 'planner-agent', 'research-agent', 'reviewer-agent'] as const;
export type ServiceName = (typeof SERVICES)[number];

const DEFAULT_HTTP_PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  'planner-agent': 3001,
  'research-agent': 3002,
  'reviewer-agent': 3003,
};

export interface KafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  /** Partitions for topics this service creates when they are missing. */
  readonly partitions: number;
}

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

export interface JwtConfig {
  /** HS256 shared secret (at least 32 characters); or verify against `jwksUrl`. */
  readonly secret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** The claim naming the caller's tenant. */
  readonly tenantClaim: string;
  /** The claim with the scopes: a space-separated string or an array. */
  readonly scopeClaim: string;
}

export interface GatewayConfig {
  readonly auth: {
    /** `disabled`: every caller is tenant `default` with every scope (a local, single-user gateway). */
    readonly mode: AuthMode;
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

function readGatewayConfig(read: EnvReader, httpHost: string): GatewayConfig {
  const secret = read.optionalString('TRIBUTARY_JWT_SECRET');
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('TRIBUTARY_JWT_SECRET must be at least 32 characters long');
  }
  const jwksUrl = read.optionalUrl('TRIBUTARY_JWT_JWKS_URL');
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('set TRIBUTARY_JWT_SECRET or TRIBUTARY_JWT_JWKS_URL, not both');
  }
  const jwt: JwtConfig | undefined =
    secret === undefined && jwksUrl === undefined
      ? undefined
      : {
          secret,
          jwksUrl,
          issuer: read.optionalString('TRIBUTARY_JWT_ISSUER'),
          audience: read.optionalString('TRIBUTARY_JWT_AUDIENCE'),
          tenantClaim: read.string('TRIBUTARY_JWT_TENANT_CLAIM', 'tenant_id'),
          scopeClaim: read.string('TRIBUTARY_JWT_SCOPE_CLAIM', 'scope'),
        };
  return {
    auth: {
      // Secure unless the gateway only listens on this machine: `npm start` stays one command.
      mode: read.oneOf(
        'TRIBUTARY_AUTH',
        ['required', 'disabled'],
        LOOPBACK_HOSTS.has(httpHost) ? 'disabled' : 'required',
      ),
      jwt,
    },
    limits: {
      ratePerSecond: read.number('TRIBUTARY_RATE_LIMIT_PER_SECOND', 20, { min: 0.001, max: 1_000_000 }),
      burst: read.int('TRIBUTARY_RATE_LIMIT_BURST', 40, { min: 1, max: 1_000_000 }),
      maxInFlightTasks: read.int('TRIBUTARY_MAX_IN_FLIGHT_TASKS', 100, { min: 0, max: 10_000_000 }),
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
      concurrency: read.int('TRIBUTARY_WEBHOOK_CONCURRENCY', 16, { min: 1, max: 1_000 }),
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

export interface TributaryConfig {
  readonly service: ServiceName;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly http: { readonly host: string; readonly port: number };
  readonly kafka: KafkaConfig;
  readonly registryUrl: string;
  readonly mongoUri: string;
  readonly runtime: RuntimeConfig;
  readonly llm: LlmConfig;
  readonly embeddings: EmbeddingsConfig;
  readonly review: { readonly maxRounds: number; readonly approveThreshold: number };
  readonly deadlines: DeadlineConfig;
  readonly dataDir: string;
  readonly gateway: GatewayConfig;
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

  const kafkaPort = read.port('TRIBUTARY_KAFKA_PORT', 9092);
  const registryPort = read.port('TRIBUTARY_REGISTRY_PORT', 8081);
  const mongoPort = read.port('TRIBUTARY_MONGO_PORT', 27017);
  const httpHost = read.string('TRIBUTARY_HTTP_HOST', '127.0.0.1');

  return {
    service,
    logLevel: read.oneOf('TRIBUTARY_LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
    http: {
      host: httpHost,
      port: read.port(`TRIBUTARY_${prefix}_PORT`, DEFAULT_HTTP_PORTS[service]),
    },
    kafka: {
      brokers: read.list('TRIBUTARY_KAFKA_BROKERS', [`127.0.0.1:${kafkaPort}`]),
      clientId: read.string('TRIBUTARY_KAFKA_CLIENT_ID', `tributary-${service}`),
      partitions: read.int('TRIBUTARY_KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
    },
    registryUrl: read.url('TRIBUTARY_REGISTRY_URL', `http://127.0.0.1:${registryPort}/apis/ccompat/v7`),
    mongoUri: read.url('TRIBUTARY_MONGO_URI', `mongodb://127.0.0.1:${mongoPort}/tributary`),
    runtime: {
      concurrency: read.int('TRIBUTARY_CONCURRENCY', 16, { min: 1, max: 10_000 }),
      sessionTimeoutMs: read.int('TRIBUTARY_SESSION_TIMEOUT_MS', 30_000, { min: 6_000, max: 300_000 }),
      heartbeatIntervalMs: read.int('TRIBUTARY_HEARTBEAT_INTERVAL_MS', 3_000, { min: 100, max: 60_000 }),
      fetchMaxWaitMs: read.int('TRIBUTARY_FETCH_MAX_WAIT_MS', 3_000, { min: 10, max: 60_000 }),
      maxAttempts: read.int('TRIBUTARY_MAX_ATTEMPTS', 4, { min: 1, max: 100 }),
      retryBaseDelayMs: read.int('TRIBUTARY_RETRY_BASE_DELAY_MS', 500, { min: 0, max: 3_600_000 }),
      retryMaxDelayMs: read.int('TRIBUTARY_RETRY_MAX_DELAY_MS', 60_000, { min: 0, max: 86_400_000 }),
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
    gateway: readGatewayConfig(read, httpHost),
  };
}

/** The one place the process environment is read: at start-up, into a validated object. */
export function loadConfigFromProcess(service: ServiceName): TributaryConfig {
  return loadConfig(service, process.env);
}

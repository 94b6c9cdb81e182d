import { type Env, EnvReader } from './env';

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
  readonly embeddingModel: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
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
  readonly review: { readonly maxRounds: number; readonly approveThreshold: number };
  readonly dataDir: string;
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

  return {
    service,
    logLevel: read.oneOf('TRIBUTARY_LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
    http: {
      host: read.string('TRIBUTARY_HTTP_HOST', '127.0.0.1'),
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
      maxAttempts: read.int('TRIBUTARY_MAX_ATTEMPTS', 4, { min: 1, max: 100 }),
      retryBaseDelayMs: read.int('TRIBUTARY_RETRY_BASE_DELAY_MS', 500, { min: 0, max: 3_600_000 }),
      retryMaxDelayMs: read.int('TRIBUTARY_RETRY_MAX_DELAY_MS', 60_000, { min: 0, max: 86_400_000 }),
    },
    llm: {
      baseUrl: read.optionalUrl(scoped('LLM_BASE_URL')),
      apiKey: read.optionalString(scoped('LLM_API_KEY')),
      model: read.string(scoped('LLM_MODEL'), 'gpt-4o-mini'),
      embeddingModel: read.optionalString(scoped('LLM_EMBEDDING_MODEL')),
      timeoutMs: read.int(scoped('LLM_TIMEOUT_MS'), 120_000, { min: 1_000, max: 3_600_000 }),
      maxRetries: read.int(scoped('LLM_MAX_RETRIES'), 3, { min: 0, max: 20 }),
    },
    review: {
      maxRounds: read.int('TRIBUTARY_REVIEW_MAX_ROUNDS', 3, { min: 1, max: 10 }),
      approveThreshold: read.number('TRIBUTARY_REVIEW_APPROVE_THRESHOLD', 0.7, { min: 0, max: 1 }),
    },
    dataDir: read.string('TRIBUTARY_DATA_DIR', 'data'),
  };
}

/** The one place the process environment is read: at start-up, into a validated object. */
export function loadConfigFromProcess(service: ServiceName): TributaryConfig {
  return loadConfig(service, process.env);
}

import { ConfigError, type EnvReader } from './env';
import { type Credentials, Secret } from './secret';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL authentication to the brokers (kafkajs' `sasl`). */
export interface KafkaSaslConfig extends Credentials {
  readonly mechanism: SaslMechanism;
}

/** TLS to the brokers (kafkajs' `ssl`); the files are read once, at start-up. */
export interface KafkaSslConfig {
  /** PEM certificates of the authorities that signed the brokers' certificates; Node's list when undefined. */
  readonly ca: string | undefined;
  /** The client's certificate chain (PEM), for brokers that require client certificates (mTLS). */
  readonly cert: string | undefined;
  /** The client's private key (PEM). */
  readonly key: Secret | undefined;
  /** The passphrase of an encrypted private key. */
  readonly keyPassword: Secret | undefined;
  /** False accepts any broker certificate (a test cluster only): no protection against an impostor. */
  readonly rejectUnauthorized: boolean;
}

export interface KafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  /** Partitions for topics this service creates when they are missing. */
  readonly partitions: number;
  /** Replicas of each topic this service creates when it is missing (existing topics are left as they are). */
  readonly replicationFactor: number;
  /** `min.insync.replicas` of each topic this service creates; the broker's default when undefined. */
  readonly minInsyncReplicas: number | undefined;
  /** TLS to the brokers; plaintext when undefined. */
  readonly ssl: KafkaSslConfig | undefined;
  /** SASL authentication; none when undefined. */
  readonly sasl: KafkaSaslConfig | undefined;
}

/** The schema registry: its Confluent-compatible API and, when it asks for them, basic-auth credentials. */
export interface RegistryConfig {
  readonly registryUrl: string;
  readonly registryCredentials: Credentials | undefined;
}

function pem(read: EnvReader, name: string, kind: 'certificate' | 'private key'): string | undefined {
  const text = read.optionalFile(name);
  const marker =
    kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (text !== undefined && !marker.test(text)) {
    throw new ConfigError(`${name} must name a PEM file with a ${kind} (no "-----BEGIN …" line found)`);
  }
  return text;
}

function readSsl(read: EnvReader): KafkaSslConfig | undefined {
  const files = [
    'TRIBUTARY_KAFKA_SSL_CA_FILE',
    'TRIBUTARY_KAFKA_SSL_CERT_FILE',
    'TRIBUTARY_KAFKA_SSL_KEY_FILE',
  ].filter((name) => read.raw(name) !== undefined);
  // Naming a CA or a client certificate says "TLS": TRIBUTARY_KAFKA_SSL need not be set as well.
  const enabled = read.bool('TRIBUTARY_KAFKA_SSL', files.length > 0);
  if (!enabled) {
    if (files.length > 0) throw new ConfigError(`${files[0]} is set but TRIBUTARY_KAFKA_SSL is false`);
    return undefined;
  }
  const cert = pem(read, 'TRIBUTARY_KAFKA_SSL_CERT_FILE', 'certificate');
  const key = pem(read, 'TRIBUTARY_KAFKA_SSL_KEY_FILE', 'private key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      'TRIBUTARY_KAFKA_SSL_CERT_FILE and TRIBUTARY_KAFKA_SSL_KEY_FILE go together (a client certificate and its key)',
    );
  }
  const keyPassword = read.optionalString('TRIBUTARY_KAFKA_SSL_KEY_PASSWORD');
  return {
    ca: pem(read, 'TRIBUTARY_KAFKA_SSL_CA_FILE', 'certificate'),
    cert,
    key: key === undefined ? undefined : new Secret(key),
    keyPassword: keyPassword === undefined ? undefined : new Secret(keyPassword),
    rejectUnauthorized: read.bool('TRIBUTARY_KAFKA_SSL_REJECT_UNAUTHORIZED', true),
  };
}

function readSasl(read: EnvReader): KafkaSaslConfig | undefined {
  const MECHANISM = 'TRIBUTARY_KAFKA_SASL_MECHANISM';
  const USERNAME = 'TRIBUTARY_KAFKA_SASL_USERNAME';
  const PASSWORD = 'TRIBUTARY_KAFKA_SASL_PASSWORD';
  const raw = read.raw(MECHANISM);
  const username = read.optionalString(USERNAME);
  // A password is taken as it is: leading or trailing spaces may be part of it.
  const password = read.rawUntrimmed(PASSWORD);
  if (raw === undefined) {
    const stray = username !== undefined ? USERNAME : password !== undefined ? PASSWORD : undefined;
    if (stray !== undefined) {
      throw new ConfigError(`${stray} is set but ${MECHANISM} is not (one of ${SASL_MECHANISMS.join(', ')})`);
    }
    return undefined;
  }
  // Kafka's own spelling (SCRAM-SHA-256) and kafkajs' (scram-sha-256) both work.
  const mechanism = SASL_MECHANISMS.find((m) => m === raw.toLowerCase());
  if (mechanism === undefined) {
    throw new ConfigError(`${MECHANISM} must be one of ${SASL_MECHANISMS.join(', ')}, got "${raw}"`);
  }
  if (username === undefined)
    throw new ConfigError(`${MECHANISM} is ${mechanism}, so ${USERNAME} must be set`);
  if (password === undefined)
    throw new ConfigError(`${MECHANISM} is ${mechanism}, so ${PASSWORD} must be set`);
  return { mechanism, username, password: new Secret(password) };
}

export function readKafkaConfig(read: EnvReader, clientId: string): KafkaConfig {
  const kafkaPort = read.port('TRIBUTARY_KAFKA_PORT', 9092);
  const replicationFactor = read.int('TRIBUTARY_KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 32 });
  const minInsyncReplicas = read.raw('TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS')
    ? read.int('TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS', 1, { min: 1, max: 32 })
    : undefined;
  if (minInsyncReplicas !== undefined && minInsyncReplicas > replicationFactor) {
    throw new ConfigError(
      `TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS (${minInsyncReplicas}) must not exceed TRIBUTARY_KAFKA_REPLICATION_FACTOR ` +
        `(${replicationFactor}): no write could ever be acknowledged by all of its topics' in-sync replicas`,
    );
  }
  return {
    brokers: read.list('TRIBUTARY_KAFKA_BROKERS', [`127.0.0.1:${kafkaPort}`]),
    clientId: read.string('TRIBUTARY_KAFKA_CLIENT_ID', clientId),
    partitions: read.int('TRIBUTARY_KAFKA_PARTITIONS', 6, { min: 1, max: 1000 }),
    replicationFactor,
    minInsyncReplicas,
    ssl: readSsl(read),
    sasl: readSasl(read),
  };
}

export function readRegistryConfig(read: EnvReader): RegistryConfig {
  const registryPort = read.port('TRIBUTARY_REGISTRY_PORT', 8081);
  const registryUrl = read.url('TRIBUTARY_REGISTRY_URL', `http://127.0.0.1:${registryPort}/apis/ccompat/v7`);
  const url = new URL(registryUrl);
  if (url.username !== '' || url.password !== '') {
    // Not echoed: the value holds a password. A URL is printed in logs and errors; credentials are not.
    throw new ConfigError(
      'TRIBUTARY_REGISTRY_URL must not carry a user name or password: set TRIBUTARY_REGISTRY_USERNAME and TRIBUTARY_REGISTRY_PASSWORD',
    );
  }
  const username = read.optionalString('TRIBUTARY_REGISTRY_USERNAME');
  const password = read.rawUntrimmed('TRIBUTARY_REGISTRY_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      username === undefined
        ? 'TRIBUTARY_REGISTRY_PASSWORD is set, so TRIBUTARY_REGISTRY_USERNAME must be set too'
        : 'TRIBUTARY_REGISTRY_USERNAME is set, so TRIBUTARY_REGISTRY_PASSWORD must be set too',
    );
  }
  return {
    registryUrl,
    registryCredentials:
      username === undefined || password === undefined
        ? undefined
        : { username, password: new Secret(password) },
  };
}

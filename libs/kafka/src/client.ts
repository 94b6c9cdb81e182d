import { Logger, type LoggerService } from '@nestjs/common';
import {
  type KafkaConfig as KafkaSettings,
  type KafkaSaslConfig,
  type TributaryConfig,
} from '@tributary/config';
import { Kafka, type KafkaConfig, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import { fixKafkajsRequestQueue } from './request-queue-fix';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

export interface KafkaClientOptions {
  readonly clientId?: string;
  readonly logger?: LoggerService;
  /** kafkajs' own threshold; by default warnings and errors (info too with TRIBUTARY_LOG_LEVEL=debug). */
  readonly logLevel?: logLevel;
}

function kafkajsLevel(level: TributaryConfig['logLevel']): logLevel {
  switch (level) {
    case 'debug':
      return logLevel.INFO;
    case 'info':
    case 'warn':
      return logLevel.WARN;
    case 'error':
      return logLevel.ERROR;
  }
}

/**
 * What kafkajs says while a group rebalances, which is how a group works (a member joins, leaves or
 * restarts): its connection logs the coordinator's REBALANCE_IN_PROGRESS answer to a heartbeat,
 * commit or sync at error level, its runner "The group is rebalancing, re-joining" at warn.
 */
const REBALANCE_CHATTER = 'The group is rebalancing';

/**
 * The level a kafkajs log entry is written at: its own, except normal rebalance chatter, which is
 * info (it is not an error, and an operator paged for it learns to ignore the error log).
 */
export function kafkajsEntryLevel({ level, log }: Pick<LogEntry, 'level' | 'log'>): logLevel {
  const { message, error } = log as { message?: unknown; error?: unknown };
  const text = `${typeof message === 'string' ? message : ''} ${typeof error === 'string' ? error : ''}`;
  if ((level === logLevel.ERROR || level === logLevel.WARN) && text.includes(REBALANCE_CHATTER)) {
    return logLevel.INFO;
  }
  return level;
}

/**
 * The TLS and SASL options of kafkajs from the configuration: the one place the password and the
 * private key leave their `Secret` wrappers. Plaintext without authentication when neither is set.
 */
export function kafkaSecurityOptions(
  kafka: Pick<KafkaSettings, 'ssl' | 'sasl'>,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { ssl, sasl } = kafka;
  return {
    ...(ssl
      ? {
          ssl: {
            rejectUnauthorized: ssl.rejectUnauthorized,
            ...(ssl.ca !== undefined ? { ca: [ssl.ca] } : {}),
            ...(ssl.cert !== undefined ? { cert: ssl.cert } : {}),
            ...(ssl.key !== undefined ? { key: ssl.key.reveal() } : {}),
            ...(ssl.keyPassword !== undefined ? { passphrase: ssl.keyPassword.reveal() } : {}),
          },
        }
      : {}),
    ...(sasl ? { sasl: saslOptions(sasl) } : {}),
  };
}

function saslOptions({ mechanism, username, password }: KafkaSaslConfig): SASLOptions {
  const credentials = { username, password: password.reveal() };
  switch (mechanism) {
    case 'plain':
      return { mechanism, ...credentials };
    case 'scram-sha-256':
      return { mechanism, ...credentials };
    case 'scram-sha-512':
      return { mechanism, ...credentials };
  }
}

/** A kafkajs client from the typed configuration, logging through Nest's logger (or the one given). */
export function createKafkaClient(
  config: Pick<TributaryConfig, 'kafka' | 'logLevel'>,
  options: KafkaClientOptions = {},
): Kafka {
  fixKafkajsRequestQueue();
  const logger = options.logger ?? new Logger('kafkajs');
  return new Kafka({
    clientId: options.clientId ?? config.kafka.clientId,
    brokers: config.kafka.brokers,
    ...kafkaSecurityOptions(config.kafka),
    logLevel: options.logLevel ?? kafkajsLevel(config.logLevel),
    logCreator: () => (entry: LogEntry) => {
      const { log, namespace } = entry;
      const { message, ...fields } = log;
      const line = `${namespace ? `${namespace}: ` : ''}${message} ${JSON.stringify(fields)}`;
      const level = kafkajsEntryLevel(entry);
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else if (level === logLevel.INFO) logger.log(line);
      else logger.debug?.(line);
    },
  });
}

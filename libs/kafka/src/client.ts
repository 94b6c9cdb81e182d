import { Logger, type LoggerService } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
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
    logLevel: options.logLevel ?? kafkajsLevel(config.logLevel),
    logCreator:
      () =>
      ({ level, log, namespace }: LogEntry) => {
        const { message, ...fields } = log;
        const line = `${namespace ? `${namespace}: ` : ''}${message} ${JSON.stringify(fields)}`;
        if (level === logLevel.ERROR) logger.error(line);
        else if (level === logLevel.WARN) logger.warn(line);
        else if (level === logLevel.INFO) logger.log(line);
        else logger.debug?.(line);
      },
  });
}

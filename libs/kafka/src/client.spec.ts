import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { loadConfig } from '@tributary/config';
import { logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient, kafkaSecurityOptions, kafkajsEntryLevel } from './client';

describe('kafkaSecurityOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-client-'));
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'client.pem');
  const keyFile = join(dir, 'client.key');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nCA-BYTES\n-----END CERTIFICATE-----\n');
  writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nCLIENT-BYTES\n-----END CERTIFICATE-----\n');
  writeFileSync(
    keyFile,
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\nKEY-BYTES\n-----END ENCRYPTED PRIVATE KEY-----\n',
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives kafkajs neither TLS nor SASL by default (the local stack)', () => {
    expect(kafkaSecurityOptions(loadConfig('gateway', {}).kafka)).toEqual({});
  });

  it('hands kafkajs the CA read from its file, the client certificate, key and passphrase (mTLS)', () => {
    const { kafka } = loadConfig('gateway', {
      TRIBUTARY_KAFKA_SSL_CA_FILE: caFile,
      TRIBUTARY_KAFKA_SSL_CERT_FILE: certFile,
      TRIBUTARY_KAFKA_SSL_KEY_FILE: keyFile,
      TRIBUTARY_KAFKA_SSL_KEY_PASSWORD: 'key-pass',
    });
    expect(kafkaSecurityOptions(kafka)).toEqual({
      ssl: {
        ca: [readFileSync(caFile, 'utf8')],
        cert: readFileSync(certFile, 'utf8'),
        key: readFileSync(keyFile, 'utf8'),
        passphrase: 'key-pass',
        rejectUnauthorized: true,
      },
    });
  });

  it('verifies the brokers against Node’s CAs when TLS is on without a CA file, unless told not to', () => {
    expect(kafkaSecurityOptions(loadConfig('gateway', { TRIBUTARY_KAFKA_SSL: 'true' }).kafka)).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    expect(
      kafkaSecurityOptions(
        loadConfig('gateway', {
          TRIBUTARY_KAFKA_SSL: 'true',
          TRIBUTARY_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
        }).kafka,
      ),
    ).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'hands kafkajs the SASL %s mechanism with the user and the revealed password, over TLS when asked',
    (mechanism) => {
      const { kafka } = loadConfig('gateway', {
        TRIBUTARY_KAFKA_SASL_MECHANISM: mechanism.toUpperCase(),
        TRIBUTARY_KAFKA_SASL_USERNAME: 'svc-gateway',
        TRIBUTARY_KAFKA_SASL_PASSWORD: 'sasl-password',
        TRIBUTARY_KAFKA_SSL: 'on',
      });
      expect(kafkaSecurityOptions(kafka)).toEqual({
        ssl: { rejectUnauthorized: true },
        sasl: { mechanism, username: 'svc-gateway', password: 'sasl-password' },
      });
    },
  );
});

describe('kafkajs log levels', () => {
  function capture(): { lines: { level: string; line: string }[]; logger: LoggerService } {
    const lines: { level: string; line: string }[] = [];
    const push = (level: string) => (line: unknown) => lines.push({ level, line: String(line) });
    return {
      lines,
      logger: { log: push('info'), error: push('error'), warn: push('warn'), debug: push('debug') },
    };
  }

  it('logs the normal rebalance chatter at info, and real errors still at error', () => {
    const { lines, logger } = capture();
    const kafka = createKafkaClient(loadConfig('gateway', {}), { logger, logLevel: logLevel.INFO });
    const log = kafka.logger().namespace('Connection');
    log.error('Response Heartbeat(key: 12, version: 3)', {
      error: 'The group is rebalancing, so a rejoin is needed',
      correlationId: 7,
    });
    kafka.logger().namespace('Runner').warn('The group is rebalancing, re-joining', { groupId: 'g' });
    log.error('Response Produce(key: 0, version: 7)', {
      error: 'The server experienced an unexpected error',
    });
    expect(lines.map(({ level, line }) => [level, line.split(' {')[0]])).toEqual([
      ['info', 'Connection: Response Heartbeat(key: 12, version: 3)'],
      ['info', 'Runner: The group is rebalancing, re-joining'],
      ['error', 'Connection: Response Produce(key: 0, version: 7)'],
    ]);
  });

  it('keeps other levels as kafkajs gives them', () => {
    expect(kafkajsEntryLevel({ level: logLevel.WARN, log: { message: 'Connection timeout' } as never })).toBe(
      logLevel.WARN,
    );
    expect(
      kafkajsEntryLevel({ level: logLevel.DEBUG, log: { message: 'The group is rebalancing' } as never }),
    ).toBe(logLevel.DEBUG);
  });
});

import { type SaslMechanism } from '@tributary/config';
import { KafkaAuthenticationError, pending } from '@tributary/kafka';
import {
  RuntimeHarness,
  SECURED_KAFKA_USER,
  type SecuredKafka,
  startSecuredKafka,
  testConfig,
  testTopic,
  uniqueName,
  waitFor,
  withTimeout,
} from '@tributary/testing';
import { ConfigResourceTypes, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The runtime against a broker that, like a production cluster, lets no one in without
 * credentials: SASL (PLAIN, SCRAM) over plaintext and TLS, and TLS with client certificates.
 * Topics and consumer groups live on that broker; schemas on the shared registry.
 */
let broker: SecuredKafka;
const harnesses: RuntimeHarness[] = [];

beforeAll(async () => {
  broker = await startSecuredKafka();
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

afterAll(async () => {
  await broker?.stop();
});

function harness(env: Record<string, string>, level = logLevel.WARN): RuntimeHarness {
  const h = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1', ...env }), {
    logLevel: level,
  });
  harnesses.push(h);
  return h;
}

function sasl(mechanism: SaslMechanism, password: string = SECURED_KAFKA_USER.password) {
  return {
    TRIBUTARY_KAFKA_SASL_MECHANISM: mechanism,
    TRIBUTARY_KAFKA_SASL_USERNAME: SECURED_KAFKA_USER.username,
    TRIBUTARY_KAFKA_SASL_PASSWORD: password,
  };
}

/** Emits three events with the typed producer and waits until the key-parallel consumer has handled them. */
async function roundTrip(h: RuntimeHarness): Promise<number[]> {
  const topic = testTopic();
  await h.prepare(topic);
  const handled: number[] = [];
  const consumer = h.consumer({ group: uniqueName('secured') });
  consumer.handle(topic, ({ value }) => {
    handled.push(value.seq);
    return Promise.resolve();
  });
  await consumer.start();
  await h.producer.emitMany(
    [1, 2, 3].map((seq) => pending(topic, { taskId: 'task-1', tenantId: 'tenant-a', seq, note: 'secured' })),
  );
  await waitFor(() => handled.length === 3, { description: 'three events through the secured broker' });
  return handled;
}

describe('Kafka with SASL', () => {
  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'with %s credentials from the configuration, the typed producer and the key-parallel consumer carry events, and nothing logs the password',
    async (mechanism) => {
      // Debug: every line kafkajs has to say about connecting and authenticating.
      const h = harness({ TRIBUTARY_KAFKA_BROKERS: broker.saslBroker, ...sasl(mechanism) }, logLevel.DEBUG);
      expect(await roundTrip(h)).toEqual([1, 2, 3]);
      const logged = h.logger.lines.map((line) => line.message).join('\n');
      expect(logged).toMatch(/SASL .*successful/);
      expect(logged).not.toContain(SECURED_KAFKA_USER.password);
    },
  );

  it('creates topics with the configured replication factor and min.insync.replicas, read back from the broker', async () => {
    const h = harness({
      TRIBUTARY_KAFKA_BROKERS: broker.saslBroker,
      ...sasl('scram-sha-256'),
      TRIBUTARY_KAFKA_REPLICATION_FACTOR: '1',
      TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS: '1',
    });
    const name = uniqueName('replicated');
    await h.admin.ensureTopics([{ name, partitions: 2 }]);
    const admin = await h.admin.connected();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] }],
    });
    const entry = resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas');
    // Set on the topic itself, not inherited from the broker's default (which is also 1).
    expect(entry).toMatchObject({ configValue: '1', isDefault: false });
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
    expect(topics[0]?.partitions.map((p) => p.replicas.length)).toEqual([1, 1]);

    // The factor reaches the broker: this cluster has one broker, so it cannot place a second replica.
    const two = harness({
      TRIBUTARY_KAFKA_BROKERS: broker.saslBroker,
      ...sasl('scram-sha-256'),
      TRIBUTARY_KAFKA_REPLICATION_FACTOR: '2',
    });
    await expect(two.admin.ensureTopics([{ name: uniqueName('replicated'), partitions: 1 }])).rejects.toThrow(
      /^the broker did not create test\.replicated\.\S+: Replication-factor is invalid \(INVALID_REPLICATION_FACTOR\); created with replication factor 2 \(TRIBUTARY_KAFKA_REPLICATION_FACTOR\)/,
    );
  });

  it.each([
    ['a wrong password', sasl('scram-sha-256', 'not-the-password')],
    ['an unknown user', { ...sasl('plain'), TRIBUTARY_KAFKA_SASL_USERNAME: 'nobody' }],
  ])(
    'refuses %s at once with an error that names the variables, from the admin, the producer and the consumer',
    async (_, credentials) => {
      const h = harness({ TRIBUTARY_KAFKA_BROKERS: broker.saslBroker, ...credentials }, logLevel.DEBUG);
      const topic = testTopic();
      // Bounded: a refused login must end in an error, never in a client that retries for ever.
      const failure = (promise: Promise<unknown>) =>
        withTimeout(
          promise.then(
            () => undefined,
            (error: unknown) => error,
          ),
          60_000,
          'the refusal',
        );
      const errors = [
        await failure(h.admin.ensureTopics([{ name: topic.name, partitions: 1 }])),
        await failure(h.producer.connect()),
        await failure(
          h
            .consumer({ group: uniqueName('refused'), createTopics: false })
            .handle(topic, () => Promise.resolve())
            .start(),
        ),
      ];
      for (const error of errors) {
        expect(error).toBeInstanceOf(KafkaAuthenticationError);
        expect((error as Error).message).toMatch(
          /^Kafka refused the client's credentials \(SASL .*authentication failed.*\); check TRIBUTARY_KAFKA_SASL_MECHANISM, TRIBUTARY_KAFKA_SASL_USERNAME and TRIBUTARY_KAFKA_SASL_PASSWORD$/,
        );
      }
      expect(h.logger.lines.map((line) => line.message).join('\n')).not.toContain(
        credentials.TRIBUTARY_KAFKA_SASL_PASSWORD,
      );
    },
  );
});

describe('Kafka with TLS', () => {
  it('runs SCRAM over TLS, verifying the broker against the CA read from TRIBUTARY_KAFKA_SSL_CA_FILE', async () => {
    const h = harness({
      TRIBUTARY_KAFKA_BROKERS: broker.saslSslBroker,
      TRIBUTARY_KAFKA_SSL_CA_FILE: broker.caFile,
      ...sasl('scram-sha-512'),
    });
    expect(await roundTrip(h)).toEqual([1, 2, 3]);
  });

  it('authenticates with a client certificate and key from files (mTLS); without them the broker refuses', async () => {
    const h = harness({
      TRIBUTARY_KAFKA_BROKERS: broker.mtlsBroker,
      TRIBUTARY_KAFKA_SSL_CA_FILE: broker.caFile,
      TRIBUTARY_KAFKA_SSL_CERT_FILE: broker.clientCertFile,
      TRIBUTARY_KAFKA_SSL_KEY_FILE: broker.clientKeyFile,
    });
    expect(await roundTrip(h)).toEqual([1, 2, 3]);

    const anonymous = harness({
      TRIBUTARY_KAFKA_BROKERS: broker.mtlsBroker,
      TRIBUTARY_KAFKA_SSL_CA_FILE: broker.caFile,
    });
    await expect(
      withTimeout(
        anonymous.admin.ensureTopics([{ name: uniqueName('mtls'), partitions: 1 }]),
        60_000,
        'the refusal',
      ),
    ).rejects.toThrow(/certificate/);
  });
});

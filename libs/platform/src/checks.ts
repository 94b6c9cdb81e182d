import { basicAuthorization, type RegistryConfig } from '@tributary/config';
import { type ReadinessCheck } from './health';

/** Kafka answers a cluster description (a metadata round trip to a broker). */
export function kafkaReadiness(
  admin: () => Promise<{ describeCluster(): Promise<{ brokers: unknown[] }> }>,
): ReadinessCheck {
  return {
    name: 'kafka',
    async check() {
      const { brokers } = await (await admin()).describeCluster();
      if (brokers.length === 0) throw new Error('no broker in the cluster metadata');
    },
  };
}

/** The schema registry lists its subjects (with our credentials, when it asks for some). */
export function registryReadiness({ registryUrl, registryCredentials }: RegistryConfig): ReadinessCheck {
  return {
    name: 'schema-registry',
    async check() {
      const res = await fetch(`${registryUrl.replace(/\/$/, '')}/subjects`, {
        signal: AbortSignal.timeout(2_000),
        ...(registryCredentials
          ? { headers: { Authorization: basicAuthorization(registryCredentials) } }
          : {}),
      });
      if (!res.ok) throw new Error(`GET /subjects answered ${res.status}`);
    },
  };
}

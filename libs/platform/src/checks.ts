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

/** The schema registry lists its subjects. */
export function registryReadiness(registryUrl: string): ReadinessCheck {
  return {
    name: 'schema-registry',
    async check() {
      const res = await fetch(`${registryUrl.replace(/\/$/, '')}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!res.ok) throw new Error(`GET /subjects answered ${res.status}`);
    },
  };
}

import { type ReadinessCheck } from '@tributary/platform';
import { type KafkaAdmin } from '@tributary/kafka';

export function kafkaReadiness(admin: KafkaAdmin): ReadinessCheck {
  return {
    name: 'kafka',
    async check() {
      const client = await admin.connected();
      const cluster = await client.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no brokers in the cluster metadata');
    },
  };
}

export function registryReadiness(registryUrl: string): ReadinessCheck {
  return {
    name: 'schema-registry',
    async check() {
      const response = await fetch(`${registryUrl.replace(/\/+$/, '')}/subjects`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`GET /subjects answered ${response.status}`);
    },
  };
}

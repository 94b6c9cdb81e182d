import { type KafkaConfig } from '@tributary/config';
import { type Admin, type Kafka } from 'kafkajs';
import { kafkaConnectionError, PermanentError } from './errors';

export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** -1 keeps every record forever: event topics are the system's history and replay depends on it. */
  readonly retentionMs?: number;
}

/** How topics are replicated when this service creates them: the configuration's `kafka` section has it. */
export type TopicReplication = Pick<KafkaConfig, 'replicationFactor' | 'minInsyncReplicas'>;

/** How long a new topic may take to get leaders for all its partitions. */
const LEADER_WAIT_MS = 30_000;

function isAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

/** What the broker said about each topic it did not create (kafkajs only says "Topic creation errors"). */
function creationError(error: unknown, { replicationFactor, minInsyncReplicas }: TopicReplication): unknown {
  const errors = (error as { errors?: { topic?: string; type?: string; message?: string }[] } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return error;
  const reasons = errors.map((e) => `${e.topic ?? '?'}: ${e.message ?? ''} (${e.type ?? 'unknown'})`);
  return new PermanentError(
    `the broker did not create ${reasons.join('; ')}; created with replication factor ${replicationFactor} ` +
      `(TRIBUTARY_KAFKA_REPLICATION_FACTOR) and min.insync.replicas ${minInsyncReplicas ?? 'the broker default'} ` +
      '(TRIBUTARY_KAFKA_MIN_INSYNC_REPLICAS)',
    { cause: error },
  );
}

/**
 * Topic administration. Brokers here run with auto-creation off, so whatever consumes or produces
 * a topic creates it first, with a known partition count, retention, replication factor and
 * `min.insync.replicas` (with the producers' `acks=all`, a write is acknowledged once that many
 * replicas have it).
 */
export class KafkaAdmin {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly replication: TopicReplication,
  ) {}

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  async ensureTopics(specs: readonly TopicSpec[]): Promise<string[]> {
    const admin = await this.connected();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter(
      (spec, index) => !existing.has(spec.name) && specs.findIndex((s) => s.name === spec.name) === index,
    );
    if (missing.length === 0) return [];
    const { replicationFactor, minInsyncReplicas } = this.replication;
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: [
            { name: 'retention.ms', value: String(spec.retentionMs ?? -1) },
            ...(minInsyncReplicas !== undefined
              ? [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }]
              : []),
          ],
        })),
      });
    } catch (error) {
      // Another service created some of them at the same moment: fine, as long as all exist then.
      if (!isAlreadyExists(error)) {
        const now = new Set(await admin.listTopics());
        if (missing.some((spec) => !now.has(spec.name))) throw creationError(error, this.replication);
      }
    }
    await this.waitForLeaders(missing.map((spec) => spec.name));
    return missing.map((spec) => spec.name);
  }

  /**
   * Waits until every partition of the topics has a leader. kafkajs' own wait (createTopics'
   * `waitForLeaders`) gives up at the first "This server does not host this topic-partition", which a
   * broker that has just started answers for a topic it created a moment ago.
   */
  private async waitForLeaders(topics: readonly string[], timeoutMs = LEADER_WAIT_MS): Promise<void> {
    if (topics.length === 0) return;
    const admin = await this.connected();
    const deadline = Date.now() + timeoutMs;
    for (let delay = 50; ; delay = Math.min(1_000, delay * 2)) {
      let problem: unknown;
      try {
        const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
        const leaderless = found.filter(
          (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
        );
        if (found.length === topics.length && leaderless.length === 0) return;
        problem = `no leader yet for ${leaderless.map((t) => t.name).join(', ') || 'some topics'}`;
      } catch (error) {
        problem = error;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `topics ${topics.join(', ')} have no leader after ${timeoutMs} ms: ${String(problem)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** The underlying kafkajs admin client, connected. */
  async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.connecting = undefined;
        throw kafkaConnectionError(error);
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect();
  }
}

/** How often `topicOffsets` asks again while a partition has no leader yet. */
const OFFSETS_ATTEMPTS = 8;

/**
 * A topic's partition offsets (`admin.fetchTopicOffsets`), asked again while the broker answers with
 * a retriable protocol error: kafkajs retries only an unknown topic, so a topic created a moment ago
 * on a fresh cluster ("This server is not the leader for that topic-partition", a leader not
 * elected yet) would fail the caller.
 */
export async function topicOffsets(
  admin: Admin,
  topic: string,
): Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= OFFSETS_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
    }
  }
}

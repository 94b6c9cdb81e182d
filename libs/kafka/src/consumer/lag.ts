import { type LoggerService } from '@nestjs/common';
import { type PartitionLag } from '@tributary/metrics';
import { type Admin, type Kafka } from 'kafkajs';
import { errorMessage } from '../errors';

/** What the consumer knows of its partitions when lag is asked for. */
export interface LagView {
  /** The partitions the group assigned to this member, by topic (its last GROUP_JOIN). */
  assigned(): ReadonlyMap<string, readonly number[]>;
  /** The lowest offset not finished of a partition this member has fetched from; undefined if it has not. */
  position(topic: string, partition: number): number | undefined;
}

export interface LagProbeOptions {
  readonly kafka: Kafka;
  readonly group: string;
  /** Where the group starts on a partition without a committed offset (the consumer's `fromBeginning`). */
  readonly fromBeginning: boolean;
  readonly logger: LoggerService;
  /** A scrape waits at most this long for the broker; then the last known lag is reported. */
  readonly timeoutMs?: number;
  /** Scrapes within this time of the last answer share it. */
  readonly maxAgeMs?: number;
}

/**
 * A consumer's lag per assigned partition, from the broker's high watermarks. The watermark a fetch
 * brings is not enough: a paused partition is not fetched, and its lag is exactly what must show.
 * So the probe asks the broker (one ListOffsets per topic, and the group's committed offsets for a
 * partition this member has not fetched yet), when metrics are scraped and not more often than
 * `maxAgeMs`; a broker that does not answer in `timeoutMs` gets the last known values reported.
 * Its admin client connects on the first scrape and closes with the consumer.
 */
export class LagProbe {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private last: readonly PartitionLag[] = [];
  private lastAt = 0;
  private pending: Promise<readonly PartitionLag[]> | undefined;
  private closed = false;
  private failing = false;

  constructor(private readonly options: LagProbeOptions) {}

  async lag(view: LagView): Promise<readonly PartitionLag[]> {
    if (this.closed) return [];
    if (Date.now() - this.lastAt < (this.options.maxAgeMs ?? 1_000)) return this.last;
    this.pending ??= this.measure(view).then(
      (lag) => {
        this.last = lag;
        this.lastAt = Date.now();
        this.failing = false;
        return lag;
      },
      (error: unknown) => {
        if (!this.failing) {
          this.options.logger.warn(
            `consumer lag not measured (${errorMessage(error)}); reporting the last known`,
          );
        }
        this.failing = true;
        return this.last;
      },
    );
    const pending = this.pending;
    void pending.finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<readonly PartitionLag[]>((resolve) => {
      timer = setTimeout(() => resolve(this.last), this.options.timeoutMs ?? 3_000);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const admin = this.admin ?? (await this.connecting?.catch(() => undefined));
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async measure(view: LagView): Promise<PartitionLag[]> {
    const assigned = view.assigned();
    if (assigned.size === 0) return [];
    const admin = await this.connected();
    const topics = [...assigned.keys()];
    const watermarks = await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
    const unfetched = topics.filter((topic) =>
      (assigned.get(topic) ?? []).some((partition) => view.position(topic, partition) === undefined),
    );
    const committed = new Map<string, number>();
    if (unfetched.length > 0) {
      for (const { topic, partitions } of await admin.fetchOffsets({
        groupId: this.options.group,
        topics: unfetched,
      })) {
        for (const { partition, offset } of partitions)
          committed.set(`${topic}\u0000${partition}`, Number(offset));
      }
    }
    const lag: PartitionLag[] = [];
    for (const [index, topic] of topics.entries()) {
      const byPartition = new Map((watermarks[index] ?? []).map((w) => [w.partition, w]));
      for (const partition of assigned.get(topic) ?? []) {
        const mark = byPartition.get(partition);
        if (mark === undefined) continue;
        const high = Number(mark.high);
        // No committed offset yet (-1): the group starts where the consumer is told to.
        const stored = committed.get(`${topic}\u0000${partition}`);
        const start = this.options.fromBeginning ? Number(mark.low) : high;
        const position =
          view.position(topic, partition) ?? (stored !== undefined && stored >= 0 ? stored : start);
        lag.push({ topic, partition, lag: Math.max(0, high - position) });
      }
    }
    return lag;
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.options.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      if (this.closed) {
        await admin.disconnect();
        throw new Error('the consumer has stopped');
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }
}

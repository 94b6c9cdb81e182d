import { type CancellationStore, type CancelledTask } from '@tributary/agent';

/**
 * The cancellations of every agent instance, in memory: what MongoDB holds in production. Counts
 * the reads, so a spec can tell a check answered from the registry's memory from one that asked.
 */
export class MemoryCancellationStore implements CancellationStore {
  readonly counts = { has: 0, recent: 0 };
  readonly recentAsked: { since: Date; limit: number }[] = [];
  private readonly records = new Map<string, { task: CancelledTask; reason: string | null; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  init(): Promise<void> {
    return Promise.resolve();
  }

  add(tenantId: string, taskId: string, reason: string | null): Promise<void> {
    const key = `${tenantId}:${taskId}`;
    if (!this.records.has(key)) this.records.set(key, { task: { tenantId, taskId }, reason, at: this.now() });
    return Promise.resolve();
  }

  has(tenantId: string, taskId: string): Promise<boolean> {
    this.counts.has += 1;
    return Promise.resolve(this.records.has(`${tenantId}:${taskId}`));
  }

  recent(since: Date, limit: number): Promise<CancelledTask[]> {
    this.counts.recent += 1;
    this.recentAsked.push({ since, limit });
    return Promise.resolve(
      [...this.records.values()]
        .filter((record) => record.at >= since.getTime())
        .sort((a, b) => b.at - a.at)
        .slice(0, limit)
        .map((record) => record.task),
    );
  }
}

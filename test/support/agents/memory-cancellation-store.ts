import { type CancellationStore } from '@tributary/agent';

/** The cancellations of every agent instance, in memory: what MongoDB holds in production. */
export class MemoryCancellationStore implements CancellationStore {
  private readonly reasons = new Map<string, string | null>();

  init(): Promise<void> {
    return Promise.resolve();
  }

  add(tenantId: string, taskId: string, reason: string | null): Promise<void> {
    const key = `${tenantId}:${taskId}`;
    if (!this.reasons.has(key)) this.reasons.set(key, reason);
    return Promise.resolve();
  }

  has(tenantId: string, taskId: string): Promise<boolean> {
    return Promise.resolve(this.reasons.has(`${tenantId}:${taskId}`));
  }
}

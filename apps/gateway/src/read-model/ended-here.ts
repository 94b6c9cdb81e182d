import { Injectable } from '@nestjs/common';
import { RecentCache } from '@tributary/platform';

/**
 * Tasks remembered: the ends of about ten minutes of tasks (the default deadline) at 25 tasks a
 * second, about 2 MB when full.
 */
const CAPACITY = 16_384;

/**
 * The tasks whose end this process's projection wrote to the read model, with their tenant. An end
 * never changes once written, so a remembered one is never stale. What follows an end and only asks
 * whether the task has ended (progress arriving after it, the deadline check due minutes later) is
 * answered from here instead of reading the task; a task ended through another gateway, or
 * forgotten (least recently asked first, past CAPACITY, or after a restart), is read from the store as before.
 */
@Injectable()
export class EndedHere {
  private readonly tenants: RecentCache<string>;

  constructor(capacity = CAPACITY) {
    this.tenants = new RecentCache({ capacity });
  }

  /** Called once the task's terminal state is in the read model (documents and lists). */
  remember(tenantId: string, taskId: string): void {
    this.tenants.set(taskId, tenantId);
  }

  /** Whether this process wrote the end of this tenant's task and still remembers it. */
  has(tenantId: string, taskId: string): boolean {
    return this.tenants.get(taskId) === tenantId;
  }
}

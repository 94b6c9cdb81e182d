import { Injectable } from '@nestjs/common';
import { RecentCache } from '@tributary/platform';

/** What this process knows of a task it accepted, fixed at submission and never changed afterwards. */
export interface AcceptedFacts {
  readonly tenantId: string;
  /** When it was accepted: the task document's `createdAt`. */
  readonly acceptedAt: Date;
  /** The task's own webhook target (null: none; the tenant's endpoint may still apply). */
  readonly callbackUrl: string | null;
  /** Whether it took an in-flight admission ticket (false: no cap applied, no slot to free). */
  readonly ticket: boolean;
}

/** Tasks remembered: about a minute of submissions at capacity, well under a megabyte. */
const CAPACITY = 4_096;

/**
 * The facts of the tasks this process accepted most recently, so what follows a task it accepted
 * (its event stream opened, the webhook and in-flight release at its end) can tell from memory that
 * the task exists, or that there is nothing to do, instead of reading the task and its admission
 * ticket from the store for every task. Facts never change once accepted, so a remembered one is
 * never stale; a task accepted by another gateway, or forgotten (least recently used first, past
 * CAPACITY, or after a restart), is read from the store as before.
 */
@Injectable()
export class AcceptedHere {
  private readonly facts: RecentCache<AcceptedFacts>;

  constructor(capacity = CAPACITY) {
    this.facts = new RecentCache({ capacity });
  }

  remember(taskId: string, facts: AcceptedFacts): void {
    this.facts.set(taskId, facts);
  }

  /** A task withdrawn before it was published: it no longer exists. */
  forget(taskId: string): void {
    this.facts.delete(taskId);
  }

  /** The task's facts, if this process accepted it for this tenant and still remembers it. */
  of(tenantId: string, taskId: string): AcceptedFacts | undefined {
    const facts = this.facts.get(taskId);
    return facts?.tenantId === tenantId ? facts : undefined;
  }
}

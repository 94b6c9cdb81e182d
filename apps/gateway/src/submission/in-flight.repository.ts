import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { type TenantId } from '../task/tenant';
import { IN_FLIGHT_COLLECTION } from './collections';

interface TicketDocument {
  _id: string;
  tenantId: string;
  /** Admission tickets: the task admitted (unique: a task is admitted once, however often it is resumed). */
  admits?: string;
  /** Admission tickets written before the cap was exact (each balanced by an end ticket if refused). */
  taskId?: string;
  /** End tickets: the task that ended (unique: a task ends once, however often its end is seen). */
  endOf?: string;
  at: Date;
}

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly inFlight: number };

const marker = (taskId: string): string => `t#${taskId}`;

/**
 * How many tasks each tenant has running, counted with inserts only: on the local store (FerretDB
 * 1.x) an update is a read then a write, so a `$inc` counter loses increments under concurrency,
 * while an insert into a primary key is atomic.
 *
 * Two gap-free sequences per tenant: admission tickets `<tenant>#s1, #s2, …` and end tickets
 * `<tenant>#e1, #e2, …`; the tenant has `s - e` tasks running. Only an admitted task holds an
 * admission ticket: a submission reads the ends `e` first, then claims admission ticket `n` only
 * if `n - e <= cap` (an insert; a taken number means another submission got it, so it checks
 * `n + 1` against the cap again), and is refused, writing nothing, once the next number is over
 * the cap. Ends only grow, so when ticket `n` is inserted the tenant runs `n - (ends now) <= n - e
 * <= cap` tasks: the cap is exact however many submissions race (ADR 0006). The task's marker
 * `t#<taskId>` then lets its end be counted; when it ends, its end ticket is claimed once (a
 * unique index on `endOf` makes a repeated end, a redelivered or second terminal event, a no-op),
 * and a unique index on `admits` makes a resumed submission of an admitted task a no-op too.
 *
 * The position of each sequence's end is found by reads by `_id` (galloping, then bisecting, from
 * a hint this process keeps), so a submission costs one insert and about four reads.
 */
@Injectable()
export class InFlightRepository {
  private readonly hints = new Map<string, number>();

  constructor(@Inject(IN_FLIGHT_COLLECTION) private readonly tickets: Collection<TicketDocument>) {}

  async ensureIndexes(): Promise<void> {
    // Only admission tickets have `admits`, only end tickets `endOf`: sparse keeps the others out.
    await this.tickets.createIndex({ endOf: 1 }, { unique: true, sparse: true });
    await this.tickets.createIndex({ admits: 1 }, { unique: true, sparse: true });
  }

  /** `resumed`: an earlier request may have admitted this task already (same idempotency key). */
  async admit(tenant: TenantId, taskId: string, cap: number, resumed = false): Promise<Admission> {
    if (resumed && (await this.exists(marker(taskId)))) return { admitted: true };
    const prefix = `${tenant}#s`;
    let ended = (await this.firstFree(`${tenant}#e`)) - 1;
    let n = await this.firstFree(prefix);
    for (;;) {
      if (n - ended > cap) {
        // Ends only grow: a slot may have been freed since they were read. Look once more.
        ended = (await this.firstFree(`${tenant}#e`)) - 1;
        if (n - ended > cap) return { admitted: false, inFlight: n - 1 - ended };
      }
      const id = `${prefix}${n}`;
      try {
        await this.tickets.insertOne({ _id: id, tenantId: tenant, admits: taskId, at: new Date() });
        this.hints.set(prefix, n + 1);
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A duplicate key whose `_id` is free was the `admits` index: this task holds a ticket already.
        if (!(await this.exists(id))) break;
        n += 1;
      }
    }
    await this.tickets
      .insertOne({ _id: marker(taskId), tenantId: tenant, at: new Date() })
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    return { admitted: true };
  }

  /** The task has ended (or was never submitted): frees its slot, once. Tasks never admitted are ignored. */
  async release(tenant: TenantId, taskId: string): Promise<void> {
    const admitted = await this.tickets.findOne({ _id: marker(taskId) });
    if (admitted?.tenantId !== tenant) return;
    await this.claimEnd(tenant, taskId);
  }

  /** Tasks the tenant has running now. */
  async count(tenant: TenantId): Promise<number> {
    return (await this.firstFree(`${tenant}#s`)) - (await this.firstFree(`${tenant}#e`));
  }

  /** Claims the next end ticket for the task, once: a second end of one task is a no-op. */
  private async claimEnd(tenant: TenantId, taskId: string): Promise<void> {
    const prefix = `${tenant}#e`;
    let n = await this.firstFree(prefix);
    for (;;) {
      const id = `${prefix}${n}`;
      try {
        await this.tickets.insertOne({ _id: id, tenantId: tenant, endOf: taskId, at: new Date() });
        this.hints.set(prefix, n + 1);
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A duplicate key whose `_id` is free was the `endOf` index: this task's end is counted already.
        if (!(await this.exists(id))) return;
        n += 1;
      }
    }
  }

  /** The lowest number not taken yet in a gap-free sequence. */
  private async firstFree(prefix: string): Promise<number> {
    const hint = this.hints.get(prefix) ?? 1;
    if (hint > 1 && !(await this.exists(`${prefix}${hint - 1}`))) {
      // The hint is ahead of the store (a dropped database in tests): search from the start.
      this.hints.delete(prefix);
      return this.firstFree(prefix);
    }
    let low = hint - 1; // taken (or 0)
    let step = 1;
    let high = hint;
    while (await this.exists(`${prefix}${high}`)) {
      low = high;
      high += step;
      step *= 2;
    }
    // low is taken (or 0), high is free: bisect.
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await this.exists(`${prefix}${mid}`)) low = mid;
      else high = mid;
    }
    this.hints.set(prefix, high);
    return high;
  }

  private async exists(id: string): Promise<boolean> {
    return (await this.tickets.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }
}

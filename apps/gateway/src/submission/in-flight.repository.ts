import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { type TenantId } from '../task/tenant';
import { IN_FLIGHT_COLLECTION } from './collections';

interface TicketDocument {
  _id: string;
  tenantId: string;
  /** Admission tickets: the task admitted or refused. */
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
 * `<tenant>#e1, #e2, …`. A submission claims the next admission ticket (an insert; a taken number
 * means another submission got it, so it takes the next), then counts the end tickets: with
 * admission number `p` and `e` ends, `p - e` tasks are running including this one. Over the cap,
 * it claims an end ticket for itself (the sequences stay balanced) and is refused; otherwise it
 * writes the marker `t#<taskId>`. When a counted task ends, its end ticket is claimed once: a
 * unique index on `endOf` makes a repeated end (a redelivered event, a second terminal event) a
 * no-op. Admissions racing for the last slot cannot overshoot the cap: each is checked against its
 * own position in the sequence.
 *
 * The position of each sequence's end is found by reads by `_id` (galloping, then bisecting, from
 * a hint this process keeps), so a submission costs one insert and about two reads.
 */
@Injectable()
export class InFlightRepository {
  private readonly hints = new Map<string, number>();

  constructor(@Inject(IN_FLIGHT_COLLECTION) private readonly tickets: Collection<TicketDocument>) {}

  async ensureIndexes(): Promise<void> {
    // Admission and marker documents have no `endOf`; sparse keeps them out of the unique check.
    await this.tickets.createIndex({ endOf: 1 }, { unique: true, sparse: true });
  }

  async admit(tenant: TenantId, taskId: string, cap: number): Promise<Admission> {
    if (await this.exists(marker(taskId))) return { admitted: true };
    const position = await this.claimNext(`${tenant}#s`, { tenantId: tenant, taskId });
    const ended = (await this.firstFree(`${tenant}#e`)) - 1;
    const inFlight = position - ended;
    if (inFlight > cap) {
      await this.claimEnd(tenant, taskId);
      return { admitted: false, inFlight: inFlight - 1 };
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

  private async claimEnd(tenant: TenantId, taskId: string): Promise<void> {
    await this.claimNext(`${tenant}#e`, { tenantId: tenant, endOf: taskId }, async (id) => {
      // A duplicate key whose `_id` is free was the `endOf` index: this task's end is counted already.
      return !(await this.exists(id));
    });
  }

  /**
   * Inserts the next free ticket of a sequence; resolves with its number, or 0 when `alreadyDone`
   * says a duplicate key meant the work was done before.
   */
  private async claimNext(
    prefix: string,
    fields: Omit<TicketDocument, '_id' | 'at'>,
    alreadyDone?: (id: string) => Promise<boolean>,
  ): Promise<number> {
    let n = await this.firstFree(prefix);
    for (;;) {
      const id = `${prefix}${n}`;
      try {
        await this.tickets.insertOne({ _id: id, ...fields, at: new Date() });
        this.hints.set(prefix, n + 1);
        return n;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (alreadyDone && (await alreadyDone(id))) return 0;
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

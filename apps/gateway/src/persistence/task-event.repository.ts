import { Inject, Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { onlyDuplicateKeys } from './mongo-errors';
import { type TaskEventDocument } from './task-event.entity';
import { TASK_EVENT_MODEL } from './tokens';

/** The `task_events` collection: one row per applied event, what the event stream reads. */
@Injectable()
export class TaskEventRepository {
  constructor(@Inject(TASK_EVENT_MODEL) private readonly events: Model<TaskEventDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.events.createCollection().catch(() => undefined);
    await this.events.createIndexes();
  }

  /**
   * Records applied events with one unordered insert. The unique event-id index makes writing a
   * row again (a redelivery after a crash between the task write and this one) a duplicate-key
   * error for that row only, which is ignored: the row is there. An insert rather than per-row
   * upserts because the local store (FerretDB on SQLite) pays a transaction per upsert: about
   * 25 ms a row against a fraction of that for one insert of many.
   */
  async record(rows: readonly TaskEventDocument[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.events.collection.insertMany(
        rows.map((row) => ({ ...row })),
        { ordered: false },
      );
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }

  /** A task's events after `afterSeq`, in order. */
  async after(
    tenant: TenantId,
    taskId: string,
    afterSeq: number,
    limit: number,
  ): Promise<TaskEventDocument[]> {
    return this.events
      .find({ tenantId: tenant, taskId, seq: { $gt: afterSeq } })
      .select({ _id: 0 })
      .sort({ seq: 1 })
      .limit(limit)
      .lean<TaskEventDocument[]>()
      .exec();
  }

  async countByType(): Promise<Record<string, number>> {
    const rows = await this.events
      .aggregate<{ _id: string; count: number }>([{ $group: { _id: '$type', count: { $sum: 1 } } }])
      .exec();
    return Object.fromEntries(rows.map((r) => [r._id, r.count]));
  }
}

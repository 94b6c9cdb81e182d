import { Inject, Injectable } from '@nestjs/common';
import { type Model, type mongo } from 'mongoose';
import { boundedStoreCollection, isDuplicateKey } from '@tributary/platform';
import { type TaskEventRow, taskEventId } from '../task/log';
import { writeErrorsOf } from './bulk-write-errors';
import { TASK_EVENT_MODEL } from './collections';

/**
 * Most rows one insert command carries. FerretDB 1.24 inserts a command's documents in batches of 100
 * and, after a failed batch, goes on with the next one even for an ordered insert; keeping every
 * command within one batch keeps "ordered" meaning ordered there too.
 */
const CLAIM_CHUNK = 64;

/**
 * The `task_events` collection: one row per applied event, keyed `<taskId>#<seq>` (see
 * `taskEventId`). It is the projection's log: inserting a row claims its seq, and every read on a hot
 * path is by `_id`. On FerretDB (the local store) only a filter that is exactly `{ _id }` reaches
 * SQLite's primary key; anything else decodes the whole collection in Go.
 */
@Injectable()
export class TaskEventRepository {
  constructor(@Inject(TASK_EVENT_MODEL) private readonly events: Model<TaskEventRow>) {}

  private driverCollection: mongo.Collection<TaskEventRow> | undefined;

  /**
   * The driver's collection: the hot paths skip mongoose's casting and hydration. Inside an HTTP
   * request its operations are bounded by the request's store deadline.
   */
  private get collection(): mongo.Collection<TaskEventRow> {
    this.driverCollection ??= boundedStoreCollection(
      this.events.collection as unknown as mongo.Collection<TaskEventRow>,
    );
    return this.driverCollection;
  }

  async ensureIndexes(): Promise<void> {
    await this.events.createCollection().catch(() => undefined);
    await this.events.createIndexes();
  }

  /**
   * Inserts `rows` in order and stops at the first one whose key is taken; resolves with how many of
   * the leading rows this call inserted (all of them: `rows.length`). The primary key makes each
   * insert an atomic claim of its seq: of two writers inserting `<taskId>#<seq>`, exactly one wins.
   * Failures other than a duplicate key reject.
   */
  async claim(rows: readonly TaskEventRow[]): Promise<number> {
    let claimed = 0;
    while (claimed < rows.length) {
      const chunk = rows.slice(claimed, claimed + CLAIM_CHUNK);
      try {
        await this.collection.insertMany(
          chunk.map((row) => ({ ...row })),
          { ordered: true },
        );
        claimed += chunk.length;
      } catch (error) {
        const first = writeErrorsOf(error)[0];
        if (first === undefined || !isDuplicateKey(first)) throw error;
        return claimed + first.index;
      }
    }
    return claimed;
  }

  /** The row of one seq, or null if nobody has claimed it. */
  async get(taskId: string, seq: number): Promise<TaskEventRow | null> {
    return this.collection.findOne({ _id: taskEventId(taskId, seq) });
  }
}

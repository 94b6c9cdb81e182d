import { type TopicKey } from '@tributary/contracts';
import { type Connection, type Model, Schema } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { type EventType, type TaskStatus } from '../projection/task-state';

/** Seqs are written with this many digits in row ids, so ids sort by (task, seq). */
const SEQ_DIGITS = 10;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/**
 * The `_id` of the row that holds seq `seq` of a task: `<taskId>#<seq, zero-padded to 10 digits>`.
 * Every read and write of `task_events` on a hot path is by this id. The fixed-width suffix keeps the
 * mapping one-to-one whatever characters a task id holds, and makes ids sort by task, then seq.
 */
export function taskEventId(taskId: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer from 1 to ${MAX_SEQ}, got ${seq}`);
  }
  return `${taskId}#${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/**
 * One applied event: the claim of seq `seq` of a task, what an SSE client receives, and (in `kind` and
 * `value`) the event itself, so that any applier can reapply a claim whose task write never happened.
 * Rows are inserted once and never changed.
 */
export interface TaskEventDocument {
  /** `taskEventId(taskId, seq)`: the primary key is what makes a claim atomic. */
  _id: string;
  tenantId: TenantId;
  taskId: string;
  seq: number;
  eventId: string;
  type: EventType;
  at: Date;
  status: TaskStatus;
  advanced: boolean;
  data: Record<string, unknown>;
  /** The topic the event came from. */
  kind: TopicKey;
  /** The decoded event value, as the projection received it. */
  value: Record<string, unknown>;
}

const taskEventSchema = new Schema<TaskEventDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    taskId: { type: String, required: true },
    seq: { type: Number, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    status: { type: String, required: true },
    advanced: { type: Boolean, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    kind: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false, strict: true },
);

// A guard behind the reducer: an event id is recorded once, whatever the redeliveries. (Index
// maintenance on insert is cheap on FerretDB too; only queries lack pushdown there.) Seq uniqueness
// per task needs no index of its own: it is the primary key.
taskEventSchema.index({ eventId: 1 }, { unique: true });

export function taskEventModel(connection: Connection, collection: string): Model<TaskEventDocument> {
  return (
    (connection.models[collection] as Model<TaskEventDocument> | undefined) ??
    connection.model<TaskEventDocument>(collection, taskEventSchema, collection)
  );
}

import { type Connection, type Model, Schema } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { type EventType, type TaskStatus } from '../projection/task-state';

/** One applied event, as an SSE client receives it. `seq` is the task's version after the event. */
export interface TaskEventDocument {
  tenantId: TenantId;
  taskId: string;
  seq: number;
  eventId: string;
  type: EventType;
  at: Date;
  status: TaskStatus;
  advanced: boolean;
  data: Record<string, unknown>;
}

const taskEventSchema = new Schema<TaskEventDocument>(
  {
    tenantId: { type: String, required: true },
    taskId: { type: String, required: true },
    seq: { type: Number, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    status: { type: String, required: true },
    advanced: { type: Boolean, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false, strict: true },
);

// Idempotency: an event id is written once, whatever the redeliveries.
taskEventSchema.index({ eventId: 1 }, { unique: true });
// SSE history and live polling: a task's events after a sequence number, in order. Unique, so two
// events can never claim one position.
taskEventSchema.index({ tenantId: 1, taskId: 1, seq: 1 }, { unique: true });

export function taskEventModel(connection: Connection, collection: string): Model<TaskEventDocument> {
  return (
    (connection.models[collection] as Model<TaskEventDocument> | undefined) ??
    connection.model<TaskEventDocument>(collection, taskEventSchema, collection)
  );
}

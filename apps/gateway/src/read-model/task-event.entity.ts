import { type Connection, type Model, Schema } from 'mongoose';
import { type TaskEventRow } from '../task/log';

const taskEventSchema = new Schema<TaskEventRow>(
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

export function taskEventModel(connection: Connection, collection: string): Model<TaskEventRow> {
  return (
    (connection.models[collection] as Model<TaskEventRow> | undefined) ??
    connection.model<TaskEventRow>(collection, taskEventSchema, collection)
  );
}

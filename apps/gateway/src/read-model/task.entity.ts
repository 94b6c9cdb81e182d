import { type Connection, type Model, Schema } from 'mongoose';
import { type TaskState } from '../task/task-state';

/** A task document: the projected state of one task, keyed by its id. */
export type TaskDocument = Omit<TaskState, 'taskId'> & { _id: string };

const taskSchema = new Schema<TaskDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, default: null },
    status: { type: String, required: true },
    round: { type: Number, required: true },
    terminal: { type: Boolean, required: true },
    // Nested parts mirror event payloads (typed by the contracts); stored as they are.
    request: { type: Schema.Types.Mixed, default: null },
    callbackUrl: { type: String, default: null },
    plan: { type: Schema.Types.Mixed, default: null },
    rounds: { type: Schema.Types.Mixed, default: [] },
    result: { type: Schema.Types.Mixed, default: null },
    failure: { type: Schema.Types.Mixed, default: null },
    cancellation: { type: Schema.Types.Mixed, default: null },
    progress: { type: Schema.Types.Mixed, default: null },
    provider: { type: String, default: null },
    timeline: { type: Schema.Types.Mixed, default: [] },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false, strict: true },
);

// No secondary indexes: every read is by `_id`; lists are documents of their own (task_lists).

export function taskModel(connection: Connection, collection: string): Model<TaskDocument> {
  return (
    (connection.models[collection] as Model<TaskDocument> | undefined) ??
    connection.model<TaskDocument>(collection, taskSchema, collection)
  );
}

export function toState(document: TaskDocument): TaskState {
  const { _id, ...rest } = document;
  return { taskId: _id, ...rest };
}

export function toDocument(state: TaskState): TaskDocument {
  const { taskId, ...rest } = state;
  return { _id: taskId, ...rest };
}

import { modelOn, upsertRacing } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';

export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
  }
}

/** Which tasks were cancelled, shared by every agent instance. */
export interface CancellationStore {
  init(): Promise<void>;
  /** Idempotent: a task cancelled twice stays cancelled with its first reason. */
  add(tenantId: string, taskId: string, reason: string | null): Promise<void>;
  has(tenantId: string, taskId: string): Promise<boolean>;
}

interface CancellationDoc {
  /** `<tenantId>:<taskId>`: every step asks isCancelled, an exact `_id` lookup even on the local store. */
  _id: string;
  tenantId: string;
  taskId: string;
  reason: string | null;
  at: Date;
}

const schema = new Schema<CancellationDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    taskId: { type: String, required: true },
    reason: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export class MongoCancellationStore implements CancellationStore {
  private readonly model: Model<CancellationDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'TaskCancellation', schema, 'task_cancellations');
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  async add(tenantId: string, taskId: string, reason: string | null): Promise<void> {
    await upsertRacing(() =>
      this.model.updateOne(
        { _id: key(tenantId, taskId) },
        { $setOnInsert: { tenantId, taskId, reason, at: new Date() } },
        { upsert: true },
      ),
    );
  }

  async has(tenantId: string, taskId: string): Promise<boolean> {
    return (await this.model.findById(key(tenantId, taskId)).lean()) !== null;
  }
}

export interface WorkScope {
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * Which tasks were cancelled (in the shared {@link CancellationStore}), plus the abort controllers
 * of the work this process is doing right now, so a cancel aborts an LLM call in flight.
 */
export class CancellationRegistry {
  private readonly inFlight = new Map<string, Set<AbortController>>();

  constructor(private readonly store: CancellationStore) {}

  async init(): Promise<void> {
    await this.store.init();
  }

  async cancel(tenantId: string, taskId: string, reason: string | null): Promise<void> {
    await this.store.add(tenantId, taskId, reason);
    for (const controller of this.inFlight.get(key(tenantId, taskId)) ?? []) {
      controller.abort(new TaskCancelledError(taskId));
    }
  }

  isCancelled(tenantId: string, taskId: string): Promise<boolean> {
    return this.store.has(tenantId, taskId);
  }

  /** Registers work on a task; `release()` when it ends, however it ends. */
  track(tenantId: string, taskId: string): WorkScope {
    const id = key(tenantId, taskId);
    const controller = new AbortController();
    const set = this.inFlight.get(id) ?? new Set<AbortController>();
    set.add(controller);
    this.inFlight.set(id, set);
    return {
      signal: controller.signal,
      release: () => {
        set.delete(controller);
        if (set.size === 0) this.inFlight.delete(id);
      },
    };
  }
}

function key(tenantId: string, taskId: string): string {
  return `${tenantId}:${taskId}`;
}

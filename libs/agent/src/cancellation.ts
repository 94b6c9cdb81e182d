import { modelOn, namespacedCollection, RecentCache, upsertRacing } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';

/**
 * What a starting agent reads back from the store: cancellations of tasks that may still have events
 * in flight (a retry waits a minute at most; a task's stages take seconds to minutes).
 */
export const CANCELLATION_PRELOAD = { withinMs: 24 * 60 * 60_000, limit: 10_000 } as const;
/** Cancelled tasks held in memory at most (about 100 bytes each); the oldest are forgotten first. */
const CANCELLATIONS_REMEMBERED = 50_000;

export interface CancelledTask {
  readonly tenantId: string;
  readonly taskId: string;
}

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
  /** The latest cancellations, newest first: at most `limit`, none from before `since`. */
  recent(since: Date, limit: number): Promise<CancelledTask[]>;
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
// Serves recent(): the preload of the latest cancellations when an agent starts.
schema.index({ at: -1 });

export class MongoCancellationStore implements CancellationStore {
  private readonly model: Model<CancellationDoc>;

  /** `namespace`: a replay's agents keep their cancellations apart from the live ones. */
  constructor(connection: Connection, namespace = '') {
    const collection = namespacedCollection('task_cancellations', namespace);
    this.model = modelOn(connection, `TaskCancellation:${collection}`, schema, collection);
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

  async recent(since: Date, limit: number): Promise<CancelledTask[]> {
    return this.model
      .find({ at: { $gte: since } }, { _id: 0, tenantId: 1, taskId: 1 })
      .sort({ at: -1 })
      .limit(limit)
      .lean<CancelledTask[]>();
  }
}

export interface WorkScope {
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * Which tasks were cancelled, held in memory, plus the abort controllers of the work this process is
 * doing right now, so a cancel aborts an LLM call in flight. Memory is fed by the cancel-requested
 * topic (every agent group consumes it) and, at start-up, by one bounded read of the latest
 * cancellations from the shared {@link CancellationStore}, which keeps every cancellation for good.
 * A first delivery is answered from memory alone; a retry or redelivery confirms a miss in the store.
 */
export class CancellationRegistry {
  private readonly inFlight = new Map<string, Set<AbortController>>();
  private readonly cancelled = new RecentCache<true>({ capacity: CANCELLATIONS_REMEMBERED });

  constructor(
    private readonly store: CancellationStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Prepares the store and reads back the latest cancellations, so a restart does not forget them. */
  async init(): Promise<void> {
    await this.store.init();
    const since = new Date(this.now() - CANCELLATION_PRELOAD.withinMs);
    const latest = await this.store.recent(since, CANCELLATION_PRELOAD.limit);
    // Oldest first, so the newest are the last the memory would forget.
    for (const { tenantId, taskId } of latest.reverse()) this.cancelled.set(key(tenantId, taskId), true);
  }

  /** Marks the task cancelled here at once, aborts its work in this process, then records it in the store. */
  async cancel(tenantId: string, taskId: string, reason: string | null): Promise<void> {
    const id = key(tenantId, taskId);
    this.cancelled.set(id, true);
    for (const controller of this.inFlight.get(id) ?? []) {
      controller.abort(new TaskCancelledError(taskId));
    }
    await this.store.add(tenantId, taskId, reason);
  }

  /**
   * Whether the task was cancelled. On a first delivery memory is the answer: the cancel-requested
   * topic brings every cancellation to this group while the task is in flight, and the preload those
   * from before the start. Otherwise (a retry, a redelivery after a crash or a rebalance, a redrive:
   * an event that may be older than this process) a miss is confirmed in the store.
   */
  async isCancelled(
    tenantId: string,
    taskId: string,
    { firstDelivery }: { firstDelivery: boolean },
  ): Promise<boolean> {
    const id = key(tenantId, taskId);
    if (this.cancelled.has(id)) return true;
    if (firstDelivery) return false;
    const stored = await this.store.has(tenantId, taskId);
    if (stored) this.cancelled.set(id, true);
    return stored;
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

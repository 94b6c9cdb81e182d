import { Inject, Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { type TenantId } from '../common/tenant';
import { type TaskState, type TaskStatus, type TimelineEntry } from '../projection/task-state';
import { isDuplicateKey } from './mongo-errors';
import { type TaskDocument, toDocument, toState } from './task.entity';
import { TASK_MODEL } from './tokens';

export interface TaskListQuery {
  readonly userId?: string | undefined;
  readonly status?: TaskStatus | undefined;
  readonly limit: number;
  /** Only tasks older than this one (the previous page's last id). */
  readonly beforeTaskId?: string | undefined;
}

/** A task without its heavy parts (timeline, rounds, plan): what a list shows. */
export type TaskSummaryState = Omit<TaskState, 'timeline' | 'rounds' | 'plan'>;

export interface TaskKey {
  readonly tenantId: TenantId;
  readonly taskId: string;
}

/** A compare-and-set write of one task: applies only if the stored version is still `expectedVersion`. */
export interface TaskWrite {
  /** The version read before reducing; null when the task did not exist yet (insert). */
  readonly expectedVersion: number | null;
  readonly state: TaskState;
  /** The timeline entries this write adds (in seq order). */
  readonly entries: readonly TimelineEntry[];
}

export type WriteResult = 'written' | 'conflict';

/**
 * The `tasks` collection. Every read takes the caller's tenant and puts it in the filter, so a
 * tenant can neither read nor infer another tenant's tasks; the projection's writes carry the
 * tenant of the event they apply.
 */
@Injectable()
export class TaskRepository {
  constructor(@Inject(TASK_MODEL) private readonly tasks: Model<TaskDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.tasks.createCollection().catch(() => undefined);
    await this.tasks.createIndexes();
  }

  /** The task as the API accepted it, before any event is applied (version 0). */
  async insertAccepted(state: TaskState): Promise<void> {
    await this.tasks.create(toDocument(state));
  }

  /** Removes a task no event has touched yet: the submission that could not be published. */
  async deleteUnconfirmed(tenant: TenantId, taskId: string): Promise<boolean> {
    const result = await this.tasks.deleteOne({ _id: taskId, tenantId: tenant, version: 0 });
    return result.deletedCount === 1;
  }

  async findById(tenant: TenantId, taskId: string): Promise<TaskState | null> {
    const document = await this.tasks.findOne({ _id: taskId, tenantId: tenant }).lean<TaskDocument>().exec();
    return document ? toState(document) : null;
  }

  /** Status and version only: whether an event stream has anything left to send. */
  async findProgress(
    tenant: TenantId,
    taskId: string,
  ): Promise<Pick<TaskState, 'status' | 'terminal' | 'version'> | null> {
    const document = await this.tasks
      .findOne({ _id: taskId, tenantId: tenant })
      .select({ status: 1, terminal: 1, version: 1 })
      .lean<Pick<TaskDocument, 'status' | 'terminal' | 'version'>>()
      .exec();
    return document
      ? { status: document.status, terminal: document.terminal, version: document.version }
      : null;
  }

  /** Status, version and timeline only: what the event stream needs to fill a hole or to stop. */
  async findTimeline(
    tenant: TenantId,
    taskId: string,
  ): Promise<Pick<TaskState, 'status' | 'terminal' | 'version' | 'timeline'> | null> {
    const document = await this.tasks
      .findOne({ _id: taskId, tenantId: tenant })
      .select({ status: 1, terminal: 1, version: 1, timeline: 1 })
      .lean<Pick<TaskDocument, 'status' | 'terminal' | 'version' | 'timeline'>>()
      .exec();
    return document
      ? {
          status: document.status,
          terminal: document.terminal,
          version: document.version,
          timeline: document.timeline,
        }
      : null;
  }

  /** Newest first. */
  async list(tenant: TenantId, query: TaskListQuery): Promise<TaskSummaryState[]> {
    const filter: Record<string, unknown> = { tenantId: tenant };
    if (query.userId !== undefined) filter.userId = query.userId;
    if (query.status !== undefined) filter.status = query.status;
    if (query.beforeTaskId !== undefined) filter._id = { $lt: query.beforeTaskId };
    const documents = await this.tasks
      .find(filter)
      .select({ timeline: 0, rounds: 0, plan: 0 })
      .sort({ _id: -1 })
      .limit(query.limit)
      .lean<Omit<TaskDocument, 'timeline' | 'rounds' | 'plan'>[]>()
      .exec();
    return documents.map(({ _id, ...rest }) => ({ taskId: _id, ...rest }));
  }

  /** A user's completed tasks, newest first. */
  async latestCompleted(tenant: TenantId, userId: string, limit: number): Promise<TaskSummaryState[]> {
    return this.list(tenant, { userId, status: 'completed', limit });
  }

  // --- projection ---------------------------------------------------------------------------

  /** Current state of the given tasks; a task stored under another tenant is reported, not returned. */
  async loadForProjection(
    keys: readonly TaskKey[],
  ): Promise<{ found: Map<string, TaskState>; foreign: Set<string> }> {
    const ids = [...new Set(keys.map((k) => k.taskId))];
    const found = new Map<string, TaskState>();
    const foreign = new Set<string>();
    if (ids.length === 0) return { found, foreign };
    const documents = await this.tasks
      .find({ _id: { $in: ids } })
      .lean<TaskDocument[]>()
      .exec();
    const wanted = new Map(keys.map((k) => [k.taskId, k.tenantId]));
    for (const document of documents) {
      if (wanted.get(document._id) === document.tenantId) found.set(document._id, toState(document));
      else foreign.add(document._id);
    }
    return { found, foreign };
  }

  /**
   * Writes one task if nobody else changed it since it was read. The version check is what makes
   * concurrent appliers (events of one task arriving on different topics at once, or two gateway
   * instances during a rebalance) safe without transactions: the loser reloads and reduces again.
   */
  async compareAndSet(write: TaskWrite): Promise<WriteResult> {
    const { state, entries, expectedVersion } = write;
    if (expectedVersion === null) {
      try {
        await this.tasks.create(toDocument(state));
        return 'written';
      } catch (error) {
        if (isDuplicateKey(error)) return 'conflict';
        throw error;
      }
    }
    const { _id, timeline: _timeline, ...fields } = toDocument(state);
    const result = await this.tasks
      .updateOne(
        { _id, tenantId: state.tenantId, version: expectedVersion },
        { $set: fields, $push: { timeline: { $each: [...entries] } } },
      )
      .exec();
    return result.matchedCount === 1 ? 'written' : 'conflict';
  }
}

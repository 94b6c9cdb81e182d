import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Model, type mongo } from 'mongoose';
import { boundedStoreCollection, isDuplicateKey } from '@tributary/platform';
import { type TaskState } from '../task/task-state';
import { type TenantId } from '../task/tenant';
import { writeErrorsOf } from './bulk-write-errors';
import { TASK_MODEL } from './collections';
import { GroupCommitter } from './group-committer';
import { type ListItem, listItem, memberships, ownerScopes, statusScopes } from './task-list';
import { TaskListRepository } from './task-list.repository';
import { type TaskDocument, toDocument, toState } from './task.entity';

/** Most tasks one `insertMany` of submissions carries. */
const ACCEPTED_INSERT_BATCH = 64;
/** Accepted tasks whose inserted document this process remembers until the projection takes it. */
const ACCEPTED_KEPT = 1_000;

/** What an event stream needs of a task document. */
export type TaskTimeline = Pick<TaskState, 'status' | 'terminal' | 'version' | 'timeline'>;

/**
 * The `tasks` collection: one document per task, the task's state after its first `version` events
 * (a snapshot of the log in `task_events`, which may be a little ahead of it; see ProjectionApplier).
 *
 * Every read of one task is by `_id` alone and checks the tenant in code: on FerretDB (the local
 * store) only a filter that is exactly `{ _id }` is answered from SQLite's primary key, any other
 * decodes every task document. A task stored under another tenant reads as absent, so a tenant can
 * neither read nor infer another tenant's tasks. Lists are documents of their own (TaskListRepository).
 */
@Injectable()
export class TaskRepository {
  /**
   * Submissions store their task through one `insertMany` per round trip (group commit): while one
   * insert is in flight the next tasks queue up and go together, so the store sees one command per
   * batch instead of one per request. Each caller learns its own document's outcome.
   */
  private readonly acceptedInserts = new GroupCommitter<TaskDocument, Error | undefined>(
    (documents) => this.insertAndList(documents),
    ACCEPTED_INSERT_BATCH,
  );

  /**
   * Tasks this process inserted as accepted (version 0), as inserted, oldest first: the projection's
   * first batch of such a task starts from it instead of reading the document back (acceptedHere()).
   */
  private readonly accepted = new Map<string, TaskState>();

  constructor(
    @Inject(TASK_MODEL) private readonly tasks: Model<TaskDocument>,
    /** Lists each accepted task (every task, its user's, the accepted status's); none without it. */
    @Optional() @Inject(TaskListRepository) private readonly lists?: TaskListRepository,
  ) {}

  private driverCollection: mongo.Collection<TaskDocument> | undefined;

  /**
   * The driver's collection: the hot paths skip mongoose's casting and hydration. Inside an HTTP
   * request its operations are bounded by the request's store deadline.
   */
  private get collection(): mongo.Collection<TaskDocument> {
    this.driverCollection ??= boundedStoreCollection(
      this.tasks.collection as unknown as mongo.Collection<TaskDocument>,
    );
    return this.driverCollection;
  }

  async ensureIndexes(): Promise<void> {
    await this.tasks.createCollection().catch(() => undefined);
    await this.tasks.createIndexes();
  }

  /** The task as the API accepted it, before any event is applied (version 0). */
  async insertAccepted(state: TaskState): Promise<void> {
    const failure = await this.acceptedInserts.submit(toDocument(state));
    if (failure !== undefined) throw failure;
    this.accepted.set(state.taskId, state);
    if (this.accepted.size > ACCEPTED_KEPT) this.accepted.delete(this.accepted.keys().next().value as string);
  }

  /**
   * The task as this process inserted it, once (the projection's first batch of it takes it), or
   * undefined. It may be stale if an applier of another instance has applied events of the task
   * since: the projection's claim of seq 1 then collides with that row and it catches up from the
   * log, as with any state it kept (ProjectionApplier.remember()).
   */
  acceptedHere(taskId: string): TaskState | undefined {
    const state = this.accepted.get(taskId);
    this.accepted.delete(taskId);
    return state;
  }

  /**
   * Inserts the tasks, then lists those stored (before their first event is published, so the
   * projection finds them listed and no one else lists them meanwhile: a fresh listing).
   */
  private async insertAndList(
    documents: readonly TaskDocument[],
  ): Promise<(index: number) => Error | undefined> {
    const outcome = await this.insertEach(documents);
    if (this.lists !== undefined) {
      const stored = documents.filter((_, i) => outcome(i) === undefined).map(toState);
      await this.lists.enlist(
        stored.flatMap((state) =>
          memberships(state, [...ownerScopes(state.userId), ...statusScopes(state.userId, state.status)]),
        ),
        { fresh: true },
      );
    }
    return outcome;
  }

  /** Inserts documents unordered; resolves with each one's failure (a duplicate key, say) or undefined. */
  private async insertEach(
    documents: readonly TaskDocument[],
  ): Promise<(index: number) => Error | undefined> {
    try {
      await this.collection.insertMany([...documents], { ordered: false });
      return () => undefined;
    } catch (error) {
      const failed = writeErrorsOf(error);
      if (failed.length === 0) throw error;
      const byIndex = new Map(failed.map((e) => [e.index, e]));
      return (index) => {
        const e = byIndex.get(index);
        return e === undefined
          ? undefined
          : Object.assign(
              new Error(`task ${documents[index]?._id} was not stored (code ${String(e.code)})`),
              {
                code: e.code,
              },
            );
      };
    }
  }

  /**
   * Removes a task no event has touched yet (version 0): the submission that could not be published.
   * Read, then delete, both by `_id`: not one atomic step. If an event is applied in between (the
   * publish was acknowledged late after all), its row in `task_events` survives the deletion and the
   * task is rebuilt from its log by the next read or write (see TaskReader).
   */
  async deleteUnconfirmed(tenant: TenantId, taskId: string): Promise<boolean> {
    this.accepted.delete(taskId);
    const document = await this.collection.findOne<Pick<TaskDocument, 'tenantId' | 'version'>>(
      { _id: taskId },
      { projection: { tenantId: 1, version: 1 } },
    );
    if (document?.tenantId !== tenant || document.version !== 0) return false;
    const result = await this.collection.deleteOne({ _id: taskId });
    return result.deletedCount === 1;
  }

  /** The stored task of any tenant (the projection checks the tenant itself), or null. */
  async findAnyTenant(taskId: string): Promise<TaskState | null> {
    const document = await this.collection.findOne({ _id: taskId });
    return document ? toState(document) : null;
  }

  async findById(tenant: TenantId, taskId: string): Promise<TaskState | null> {
    const state = await this.findAnyTenant(taskId);
    return state?.tenantId === tenant ? state : null;
  }

  /** Status, version and tenant only: whether an event stream has anything left to send. */
  async findProgress(
    tenant: TenantId,
    taskId: string,
  ): Promise<Pick<TaskState, 'status' | 'terminal' | 'version'> | null> {
    const document = await this.collection.findOne<
      Pick<TaskDocument, 'tenantId' | 'status' | 'terminal' | 'version'>
    >({ _id: taskId }, { projection: { tenantId: 1, status: 1, terminal: 1, version: 1 } });
    return document?.tenantId === tenant
      ? { status: document.status, terminal: document.terminal, version: document.version }
      : null;
  }

  /** Status, version and timeline only: an event stream's history. */
  async findTimeline(tenant: TenantId, taskId: string): Promise<TaskTimeline | null> {
    const document = await this.collection.findOne<
      Pick<TaskDocument, 'tenantId' | 'status' | 'terminal' | 'version' | 'timeline'>
    >({ _id: taskId }, { projection: { tenantId: 1, status: 1, terminal: 1, version: 1, timeline: 1 } });
    return document?.tenantId === tenant
      ? {
          status: document.status,
          terminal: document.terminal,
          version: document.version,
          timeline: document.timeline,
        }
      : null;
  }

  /**
   * The current list items of tasks (read by `_id`, concurrently, without their heavy parts): what a
   * list shows of a task that has not ended. Tasks of another tenant, or gone, are left out.
   */
  async findListItems(tenant: TenantId, taskIds: readonly string[]): Promise<Map<string, ListItem>> {
    const documents = await Promise.all(
      [...new Set(taskIds)].map((taskId) =>
        this.collection.findOne<Omit<TaskDocument, 'timeline' | 'rounds' | 'plan'>>(
          { _id: taskId },
          { projection: { timeline: 0, rounds: 0, plan: 0 } },
        ),
      ),
    );
    const items = new Map<string, ListItem>();
    for (const document of documents) {
      if (document?.tenantId !== tenant) continue;
      const { _id, ...rest } = document;
      items.set(_id, listItem({ taskId: _id, ...rest, timeline: [], rounds: [], plan: null }, true));
    }
    return items;
  }

  // --- projection ---------------------------------------------------------------------------

  /**
   * Writes task snapshots, each replacing (or creating) its document by `_id`, in one unordered bulk
   * write. Resolves with the ids whose write lost a race to create the same new document (a
   * duplicate key from a concurrent upsert: FerretDB's upsert is a read then an insert); the caller
   * writes those again. The write is not conditional: a writer that was overtaken can put an older
   * snapshot back, which is why the projection checks the log after writing (see ProjectionApplier).
   */
  async writeSnapshots(states: readonly TaskState[]): Promise<string[]> {
    if (states.length === 0) return [];
    const operations: mongo.AnyBulkWriteOperation<TaskDocument>[] = states.map((state) => {
      const document = toDocument(state);
      return { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } };
    });
    try {
      await this.collection.bulkWrite(operations, { ordered: false });
      return [];
    } catch (error) {
      const failures = writeErrorsOf(error);
      if (failures.length === 0 || failures.some((f) => !isDuplicateKey(f))) throw error;
      return failures.map((f) => states[f.index]!.taskId);
    }
  }
}

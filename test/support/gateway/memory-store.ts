import { type TaskEventRepository } from '../../../apps/gateway/src/read-model/task-event.repository';
import { type TaskRepository, type TaskTimeline } from '../../../apps/gateway/src/read-model/task.repository';
import { type TaskEventRow, taskEventId } from '../../../apps/gateway/src/task/log';
import { type TaskState } from '../../../apps/gateway/src/task/task-state';
import { type TenantId } from '../../../apps/gateway/src/task/tenant';

type Hook = () => Promise<void> | void;

/**
 * The two collections in memory, with MongoDB's semantics for what the projection relies on: a
 * claim is an ordered insert that stops at the first taken `_id` (or event id), reads are by `_id`,
 * a snapshot write replaces by `_id`. One-shot hooks let a test put another writer (a second
 * applier on the same store) or a crash at an exact point of an applier's run. Unit tests only.
 */
export class MemoryStore {
  readonly tasks = new Map<string, TaskState>();
  readonly rows = new Map<string, TaskEventRow>();
  /** Tasks "this process inserted as accepted": what acceptedHere() hands over, once. */
  readonly accepted = new Map<string, TaskState>();
  /** Calls of claim() and writeSnapshots(). */
  claims = 0;
  writes = 0;
  /** Runs before the next claim inserts anything. */
  beforeClaim: Hook | undefined;
  /** Runs right after the next claim inserted its row number `index` (0-based). */
  afterRow: { index: number; run: Hook } | undefined;
  /** Runs before the next snapshot write. */
  beforeWrite: Hook | undefined;
  /** The next snapshot write dies before writing anything (a crash between claim and task write). */
  crashNextWrite = false;
  /** The next snapshot write loses a race to create each of its documents (nothing written). */
  loseNextWrite = false;

  taskRepository(): TaskRepository {
    const repository: Pick<
      TaskRepository,
      'findAnyTenant' | 'findById' | 'findTimeline' | 'findProgress' | 'writeSnapshots' | 'acceptedHere'
    > = {
      acceptedHere: (taskId) => {
        const state = this.accepted.get(taskId);
        this.accepted.delete(taskId);
        return state;
      },
      findAnyTenant: (taskId) => Promise.resolve(this.task(taskId)),
      findById: (tenant, taskId) => Promise.resolve(this.task(taskId, tenant)),
      findTimeline: (tenant, taskId): Promise<TaskTimeline | null> => {
        const task = this.task(taskId, tenant);
        return Promise.resolve(
          task && {
            status: task.status,
            terminal: task.terminal,
            version: task.version,
            timeline: task.timeline,
          },
        );
      },
      findProgress: (tenant, taskId) => {
        const task = this.task(taskId, tenant);
        return Promise.resolve(
          task && { status: task.status, terminal: task.terminal, version: task.version },
        );
      },
      writeSnapshots: async (states) => {
        this.writes += 1;
        await take(this, 'beforeWrite');
        if (this.crashNextWrite) {
          this.crashNextWrite = false;
          throw new Error('crash between the claim and the task write');
        }
        if (this.loseNextWrite) {
          this.loseNextWrite = false;
          return states.map((s) => s.taskId);
        }
        for (const state of states) this.tasks.set(state.taskId, structuredClone(state));
        return [];
      },
    };
    return repository as TaskRepository;
  }

  eventRepository(): TaskEventRepository {
    const repository: Pick<TaskEventRepository, 'claim' | 'get'> = {
      claim: async (rows) => {
        this.claims += 1;
        await take(this, 'beforeClaim');
        let inserted = 0;
        for (const row of rows) {
          const eventIdTaken = [...this.rows.values()].some((r) => r.eventId === row.eventId);
          if (this.rows.has(row._id) || eventIdTaken) return inserted;
          this.rows.set(row._id, structuredClone(row));
          inserted += 1;
          const hook = this.afterRow;
          if (hook?.index === inserted - 1) {
            this.afterRow = undefined;
            await hook.run();
          }
        }
        return inserted;
      },
      get: (taskId, seq) => Promise.resolve(this.row(taskId, seq)),
    };
    return repository as TaskEventRepository;
  }

  /** The seqs recorded in the log for a task, in order. */
  seqs(taskId: string): number[] {
    return this.rowsOf(taskId).map((r) => r.seq);
  }

  rowsOf(taskId: string): TaskEventRow[] {
    return [...this.rows.values()].filter((r) => r.taskId === taskId).sort((a, b) => a.seq - b.seq);
  }

  private task(taskId: string, tenant?: TenantId): TaskState | null {
    const task = this.tasks.get(taskId);
    if (!task || (tenant !== undefined && task.tenantId !== tenant)) return null;
    return structuredClone(task);
  }

  private row(taskId: string, seq: number): TaskEventRow | null {
    const row = this.rows.get(taskEventId(taskId, seq));
    return row ? structuredClone(row) : null;
  }
}

async function take(store: MemoryStore, name: 'beforeClaim' | 'beforeWrite'): Promise<void> {
  const hook = store[name];
  store[name] = undefined;
  await hook?.();
}

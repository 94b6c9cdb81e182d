import { foldEvents } from '../../task/fold';
import { type TaskEventRow, taskEventId } from '../../task/log';
import { isTerminalEvent, type TaskStatus } from '../../task/status';
import { type ProjectedEvent, type TaskState } from '../../task/task-state';
import { type Membership, memberships, ownerScopes, statusScopes } from '../task-list';
import { type TaskDocument, toDocument } from '../task.entity';

/** The order a rebuild applies a task's events in: by the time they happened, ties by event id. */
export function byOccurrence(a: ProjectedEvent, b: ProjectedEvent): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || a.eventId.localeCompare(b.eventId);
}

/** What to write for one task: its document and rows, after removing rows an earlier write got wrong. */
export interface TaskWrite {
  readonly taskId: string;
  readonly document: TaskDocument;
  /** Rows to insert (all of the task's rows, or those from the first one an earlier write got wrong). */
  readonly rows: readonly TaskEventRow[];
  /** `_id`s of rows an earlier write inserted that must be deleted before `rows` are inserted. */
  readonly stale: readonly string[];
  /** True when the task's document was written before (replace it, do not insert it). */
  readonly rewrite: boolean;
}

interface TaskEvents {
  readonly events: ProjectedEvent[];
  /** The newest Kafka timestamp among the events (epoch ms). */
  newest: number;
  terminalSeen: boolean;
  /** Event ids of the rows written so far, by seq - 1 (undefined: nothing written yet). */
  written: string[] | undefined;
  /** Events arrived after the task was written. */
  dirty: boolean;
  applied: number;
  duplicates: number;
  refused: number;
  skipped: number;
  status: TaskStatus | undefined;
  /** The task after the last fold. */
  state: TaskState | null;
}

export interface RebuildCounts {
  readonly applied: number;
  readonly duplicates: number;
  readonly refused: number;
  /** Progress that moved nothing: streams read it from the log, the store keeps none of it. */
  readonly skipped: number;
  readonly statuses: ReadonlyMap<TaskStatus, number>;
}

/**
 * The in-memory half of a rebuild into fresh collections: every event of a task is folded at once,
 * in time order, with the projection's own fold (the reducer and the row shape the live applier
 * uses), and the task is written once, as its final document and its rows, with no reads.
 *
 * To let writing overlap reading, a task that looks finished (a terminal event seen, and the read
 * is past its newest event by `settleMs` on every partition) can be written before the read ends
 * (`settled`). Looks can deceive: an event can arrive after that (a late cancel, a redelivery). Such
 * a task is folded again at the end (`rest`) and rewritten from its first row that changed, so the
 * result is always the fold of all of its events.
 */
export class RebuildFolder {
  private readonly tasks = new Map<string, TaskEvents>();
  /** Tasks with a terminal event that are not written yet. */
  private readonly candidates = new Set<string>();

  constructor(private readonly settleMs = 2_000) {}

  get size(): number {
    return this.tasks.size;
  }

  /** Adds an event read from Kafka with its record timestamp. */
  add(event: ProjectedEvent, timestamp: number): void {
    const taskId = event.value.taskId;
    let task = this.tasks.get(taskId);
    if (task === undefined) {
      task = {
        events: [],
        newest: timestamp,
        terminalSeen: false,
        written: undefined,
        dirty: false,
        applied: 0,
        duplicates: 0,
        skipped: 0,
        refused: 0,
        status: undefined,
        state: null,
      };
      this.tasks.set(taskId, task);
    }
    task.events.push(event);
    if (timestamp > task.newest) task.newest = timestamp;
    if (task.written !== undefined) task.dirty = true;
    else if (isTerminalEvent(event.kind)) {
      task.terminalSeen = true;
      this.candidates.add(taskId);
    }
  }

  /** Writes for the tasks that look finished, given that the read is at `watermark` on every partition. */
  settled(watermark: number): TaskWrite[] {
    const writes: TaskWrite[] = [];
    for (const taskId of this.candidates) {
      const task = this.tasks.get(taskId)!;
      if (task.newest > watermark - this.settleMs) continue;
      this.candidates.delete(taskId);
      const write = this.fold(taskId, task);
      if (write) writes.push(write);
    }
    return writes;
  }

  /** After the read: writes for every task not written yet, and corrections of those written too early. */
  rest(): TaskWrite[] {
    this.candidates.clear();
    const writes: TaskWrite[] = [];
    for (const [taskId, task] of this.tasks) {
      if (task.written !== undefined && !task.dirty) continue;
      const write = this.fold(taskId, task);
      if (write) writes.push(write);
    }
    return writes;
  }

  /** Counts over the last fold of every task (call after `rest`). */
  counts(): RebuildCounts {
    let applied = 0;
    let duplicates = 0;
    let refused = 0;
    let skipped = 0;
    const statuses = new Map<TaskStatus, number>();
    for (const task of this.tasks.values()) {
      applied += task.applied;
      duplicates += task.duplicates;
      refused += task.refused;
      skipped += task.skipped;
      if (task.status !== undefined) statuses.set(task.status, (statuses.get(task.status) ?? 0) + 1);
    }
    return { applied, duplicates, refused, skipped, statuses };
  }

  /**
   * Every task's places in the lists (call after `rest`): among every task, its user's, its final
   * status's and its user's in that status, with its final item; in task id order (creation order),
   * which is the order the lists then show them in.
   */
  listings(): Membership[] {
    const ids = [...this.tasks.keys()].sort();
    return ids.flatMap((taskId) => {
      const state = this.tasks.get(taskId)!.state;
      return state === null
        ? []
        : memberships(state, [...ownerScopes(state.userId), ...statusScopes(state.userId, state.status)]);
    });
  }

  private fold(taskId: string, task: TaskEvents): TaskWrite | undefined {
    task.events.sort(byOccurrence);
    const { state, rows, steps } = foldEvents(null, task.events);
    task.applied = 0;
    task.duplicates = 0;
    task.refused = 0;
    task.skipped = 0;
    for (const step of steps) {
      if (step.decision === 'applied') task.applied += 1;
      else if (step.decision === 'duplicate') task.duplicates += 1;
      else if (step.decision === 'skipped') task.skipped += 1;
      else task.refused += 1;
    }
    task.status = state?.status;
    task.state = state;
    if (state === null) return undefined;

    const before = task.written ?? [];
    let same = 0;
    while (same < before.length && same < rows.length && before[same] === rows[same]!.eventId) same += 1;
    const stale: string[] = [];
    for (let seq = same + 1; seq <= before.length; seq += 1) stale.push(taskEventId(taskId, seq));
    const rewrite = task.written !== undefined;
    task.written = rows.map((row) => row.eventId);
    task.dirty = false;
    return {
      taskId,
      document: toDocument(state),
      rows: rows.slice(same),
      stale,
      rewrite,
    };
  }
}

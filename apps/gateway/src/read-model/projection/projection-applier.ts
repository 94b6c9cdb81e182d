import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { foldEvents, type FoldStep } from '../../task/fold';
import { type TaskEventRow } from '../../task/log';
import { type ProjectedEvent, type TaskState } from '../../task/task-state';
import { EndedHere } from '../ended-here';
import { TaskEventRepository } from '../task-event.repository';
import { TaskListRepository } from '../task-list.repository';
import { TaskNotifier } from '../task-notifier';
import { TaskReader } from '../task-reader';
import { TaskRepository } from '../task.repository';
import { ListProjection } from './list-projection';
import { recordTaskMetrics } from './task-metrics';

export interface ApplyReport {
  /** Events this call recorded under a new seq. */
  readonly applied: number;
  /** Events already recorded (redeliveries, including a claim an earlier attempt made before it crashed). */
  readonly duplicates: number;
  /** Progress that moved nothing: streams read it from the log, the store keeps none of it. */
  readonly skipped: number;
  /** Events whose task id belongs to another tenant: refused, never written. */
  readonly refused: readonly ProjectedEvent[];
}

/** Conflicts mean another applier claimed the same seqs in between; a few rounds always settle it. */
const MAX_ROUNDS = 50;
/** How many tasks in flight the applier keeps the last written state of (a few kB each). */
const RECENT_STATES = 1_000;
/**
 * How many ended tasks the applier keeps the last written state of: events of a task's earlier stages
 * often arrive just after its end (each topic is consumed on its own), and are recorded on that state.
 */
const RECENT_ENDED_STATES = 256;

/** One task of a batch while it is being applied. */
class TaskWork {
  /** Events not settled yet, in batch order. */
  remaining: ProjectedEvent[];
  /** The task as the log has it: the document read, plus every claim known to be in the log. */
  state: TaskState | null = null;
  /** The version the `tasks` document had when read, or was last written with (null: no document). */
  stored: number | null = null;
  loadedVersion = 0;
  /** The task as read before this batch (null: no document). */
  loaded: TaskState | null = null;
  /** Events of this batch found already in the log (redeliveries, adopted claims). */
  duplicates = 0;

  // The current round's reduction of `remaining` on `state`.
  rows: TaskEventRow[] = [];
  /** The state after each row of `rows`. */
  after: TaskState[] = [];
  decisions: readonly FoldStep[] = [];
  /** Rows of this batch that made it into the log, in seq order: what local event streams are sent. */
  claimed: TaskEventRow[] = [];

  constructor(
    readonly taskId: string,
    events: ProjectedEvent[],
  ) {
    this.remaining = events;
  }

  reduce(): void {
    const fold = foldEvents(this.state, this.remaining);
    this.rows = fold.rows;
    this.after = fold.after;
    this.decisions = fold.steps;
  }
}

/**
 * Applies a batch of events to the read model. Every read and write is by `_id` (or an insert), so
 * the local store (FerretDB, whose only query pushdown is an exact `{ _id }` filter) never scans.
 *
 * The log, `task_events`, holds one row per applied event with `_id = <taskId>#<seq>`; the task
 * document is a snapshot of the task after its first `version` events.
 *
 * 1. Read each task of the batch by `_id` (concurrently), unless this applier wrote its current
 *    snapshot itself (see remember()), this process's submission inserted it (version 0, see
 *    TaskRepository.acceptedHere()), or the batch is only progress of a task it saw end (skipped).
 * 2. Reduce each task's events in memory (the pure reducer decides duplicates and order); an event
 *    whose task belongs to another tenant is refused.
 * 3. Claim: insert the new rows of every task with one ordered insert. The primary key makes each
 *    row an atomic claim of its seq. A duplicate key on `<taskId>#<s>` means seq s is already in the
 *    log: written by another applier, or by an earlier attempt of ours that died before its task
 *    write. Either way the row carries its event, so the applier reads it (and any after it) by
 *    `_id`, reapplies them, and reduces what is left again: another writer's event takes its place
 *    in the order, our own becomes a duplicate (adopted). Rows before the conflict are kept; tasks
 *    after it in the insert are claimed in the next round.
 * 4. Write each changed task document with a replace by `_id` (one unordered bulk write).
 * 5. Read the row after each written version by `_id`: if another applier claimed more meanwhile,
 *    its snapshot may have been overwritten by ours, so roll forward and write again.
 * 6. Notify local event streams.
 * 7. Keep the task lists in step (ListProjection), after the documents they point to.
 *
 * Offsets are committed only after this resolves. A crash at any point leaves a log that is a
 * prefix-closed set of claims and a snapshot that is at or behind it; the redelivered events are
 * then duplicates or adopted claims, and any applier or reader rolls the snapshot forward.
 */
@Injectable()
export class ProjectionApplier {
  private readonly logger = new Logger(ProjectionApplier.name);
  private readonly reader: TaskReader;
  /** See remember(): the last state written of tasks in flight, oldest first. */
  private readonly recent = new Map<string, TaskState>();
  /** The same for tasks that have ended, fewer of them (their documents are the largest). */
  private readonly recentEnded = new Map<string, TaskState>();
  /** Tasks whose end this process wrote (see lateProgress()); shared with the deadline checks. */
  private readonly ended: EndedHere;
  private readonly lists: ListProjection | undefined;

  constructor(
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
    @Inject(TaskNotifier) private readonly notifier: TaskNotifier,
    /** The task lists (step 7); not kept without it. */
    @Optional() @Inject(TaskListRepository) lists?: TaskListRepository,
    @Optional() @Inject(EndedHere) ended?: EndedHere,
  ) {
    this.reader = new TaskReader(tasks, events);
    this.ended = ended ?? new EndedHere();
    this.lists = lists === undefined ? undefined : new ListProjection(lists);
  }

  async apply(batch: readonly ProjectedEvent[]): Promise<ApplyReport> {
    const report = { applied: 0, duplicates: 0, skipped: 0, refused: [] as ProjectedEvent[] };
    const works: TaskWork[] = [];
    for (const [taskId, events] of groupByTask(batch)) {
      if (this.lateProgress(taskId, events)) report.skipped += events.length;
      else works.push(new TaskWork(taskId, events));
    }
    try {
      await Promise.all(
        works.map(async (work) => {
          work.state =
            this.recent.get(work.taskId) ??
            this.recentEnded.get(work.taskId) ??
            this.tasks.acceptedHere(work.taskId) ??
            (await this.tasks.findAnyTenant(work.taskId));
          work.stored = work.state?.version ?? null;
          work.loadedVersion = work.state?.version ?? 0;
          work.loaded = work.state;
        }),
      );
      await this.claim(works, report);
      await this.writeSnapshots(works);
    } catch (error) {
      // What this batch got into the store is unknown: read these tasks from it next time.
      for (const work of works) {
        this.recent.delete(work.taskId);
        this.recentEnded.delete(work.taskId);
      }
      throw error;
    }
    for (const work of works) this.remember(work);

    for (const work of works) {
      if ((work.state?.version ?? 0) > work.loadedVersion) this.notifier.notify(work.taskId, work.claimed);
    }
    if (report.refused.length > 0) {
      this.logger.warn({
        msg: 'refused events whose task belongs to another tenant',
        eventIds: report.refused.map((e) => e.eventId),
      });
    }
    // Last, so event streams do not wait for it; if it fails, the batch is redelivered, its events
    // are duplicates then, and the lists are brought in step with each task's current state.
    await this.lists?.project(
      works.flatMap((work) =>
        work.state === null || (work.state.version === work.loadedVersion && work.duplicates === 0)
          ? []
          : [{ before: work.loaded, after: work.state, redelivered: work.duplicates > 0 }],
      ),
    );
    // Only now: until its lists are final, a task's redelivered events must take the whole path.
    for (const work of works) if (work.state?.terminal === true) this.rememberEnded(work.state);
    return report;
  }

  /**
   * Whether every event is progress of a task this applier saw end, of the task's own tenant: such
   * progress moves nothing (a task's status never leaves its end), so it is skipped without reading
   * the task. Progress often arrives after the task's end (the progress topic is consumed beside
   * the others, not behind them); without this each such batch read the ended task's document.
   */
  private lateProgress(taskId: string, events: readonly ProjectedEvent[]): boolean {
    return events.every((event) => event.kind === 'taskProgress' && this.ended.has(event.tenantId, taskId));
  }

  private rememberEnded(state: TaskState): void {
    this.ended.remember(state.tenantId, state.taskId);
  }

  /**
   * Steps 2 and 3, round after round until every event is settled. Within a round, an insert that
   * stops at a taken seq is followed by one for the tasks after that one, so each conflicting task
   * costs one more insert, not one more round for the whole batch.
   */
  private async claim(
    works: readonly TaskWork[],
    report: { applied: number; duplicates: number; skipped: number; refused: ProjectedEvent[] },
  ): Promise<void> {
    for (let round = 0; ; round += 1) {
      const open = works.filter((work) => work.remaining.length > 0);
      if (open.length === 0) return;
      if (round >= MAX_ROUNDS)
        throw new Error(
          `projection could not settle ${open.length} task(s) after ${MAX_ROUNDS} conflicting claims`,
        );
      for (const work of open) work.reduce();

      const got = new Map<TaskWork, number>();
      const conflicted: TaskWork[] = [];
      for (let start = 0; start < open.length;) {
        const rest = open.slice(start);
        const rows = rest.flatMap((work) => work.rows);
        const claimed = rows.length === 0 ? 0 : await this.events.claim(rows);
        let offset = 0;
        let next = open.length;
        for (const [k, work] of rest.entries()) {
          if (offset + work.rows.length <= claimed) {
            got.set(work, work.rows.length);
            offset += work.rows.length;
            continue;
          }
          got.set(work, claimed - offset);
          conflicted.push(work);
          next = start + k + 1;
          break;
        }
        start = next;
      }
      for (const work of open) this.settle(work, got.get(work) ?? 0, report);
      await Promise.all(conflicted.map((work) => this.catchUp(work)));
    }
  }

  /** Keeps the outcome of every event decided before the first row that was not claimed. */
  private settle(
    work: TaskWork,
    got: number,
    report: { applied: number; duplicates: number; skipped: number; refused: ProjectedEvent[] },
  ): void {
    let settled = 0;
    for (const { event, decision, rowsBefore } of work.decisions) {
      if (decision === 'applied' && rowsBefore >= got) break;
      if (decision === 'applied') report.applied += 1;
      else if (decision === 'duplicate') {
        report.duplicates += 1;
        work.duplicates += 1;
      } else if (decision === 'skipped') report.skipped += 1;
      else report.refused.push(event);
      settled += 1;
    }
    work.remaining = work.remaining.slice(settled);
    for (let row = 0; row < got; row += 1) {
      recordTaskMetrics(row === 0 ? work.state : work.after[row - 1]!, work.rows[row]!, work.after[row]!);
    }
    if (got > 0) work.state = work.after[got - 1]!;
    work.claimed.push(...work.rows.slice(0, got));
  }

  /** After a lost claim: take in the rows someone else (or an earlier attempt) put in the log. */
  private async catchUp(work: TaskWork): Promise<void> {
    const before = work.state?.version ?? 0;
    work.state = await this.reader.rollForward(work.state, work.taskId);
    if ((work.state?.version ?? 0) === before) {
      const seq = before + 1;
      const event = work.remaining[0];
      throw new Error(
        `could not claim seq ${seq} of task ${work.taskId}, and nobody holds it: event ${event?.eventId ?? '?'} is already recorded under another seq`,
      );
    }
  }

  /**
   * Keeps the state of a task once its snapshot in the store is exactly that state (of the last
   * RECENT_STATES tasks in flight, and the last RECENT_ENDED_STATES that ended), so the task's next batch starts from it without reading the document back. A state gone
   * stale (another instance applied events of the task meanwhile, after a rebalance) is safe: the
   * claim of its next seq then collides with that instance's row and the task catches up from the log.
   */
  private remember(work: TaskWork): void {
    const state = work.state;
    this.recent.delete(work.taskId);
    this.recentEnded.delete(work.taskId);
    if (state === null || work.stored !== state.version) return;
    const [kept, limit] = state.terminal
      ? [this.recentEnded, RECENT_ENDED_STATES]
      : [this.recent, RECENT_STATES];
    kept.set(work.taskId, state);
    if (kept.size > limit) kept.delete(kept.keys().next().value as string);
  }

  /** Steps 4 and 5. */
  private async writeSnapshots(works: readonly TaskWork[]): Promise<void> {
    let pending = works.filter(
      (work) => work.state !== null && (work.stored === null || work.state.version > work.stored),
    );
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_ROUNDS)
        throw new Error(
          `projection could not settle ${pending.length} task document(s) after ${MAX_ROUNDS} writes`,
        );
      const lost = new Set(await this.tasks.writeSnapshots(pending.map((work) => work.state!)));
      const again: TaskWork[] = [];
      await Promise.all(
        pending.map(async (work) => {
          const written = work.state!;
          if (!lost.has(work.taskId)) work.stored = written.version;
          work.state = await this.reader.rollForward(written, work.taskId);
          if (lost.has(work.taskId) || work.state!.version > written.version) again.push(work);
        }),
      );
      pending = again;
    }
  }
}

function groupByTask(batch: readonly ProjectedEvent[]): Map<string, ProjectedEvent[]> {
  const byTask = new Map<string, ProjectedEvent[]>();
  for (const event of batch) {
    const list = byTask.get(event.value.taskId) ?? [];
    list.push(event);
    byTask.set(event.value.taskId, list);
  }
  return byTask;
}

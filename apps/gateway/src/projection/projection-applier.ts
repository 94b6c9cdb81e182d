import { Inject, Injectable, Logger } from '@nestjs/common';
import { TaskEventRepository } from '../persistence/task-event.repository';
import { type TaskEventDocument } from '../persistence/task-event.entity';
import { TaskRepository, type TaskWrite } from '../persistence/task.repository';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState, type TimelineEntry } from './task-state';
import { TaskNotifier } from './task-notifier';

export interface ApplyReport {
  readonly applied: number;
  readonly duplicates: number;
  /** Events whose task id belongs to another tenant: refused, never written. */
  readonly refused: readonly ProjectedEvent[];
}

/** Conflicts mean another applier wrote the same task in between; a few rounds always settle it. */
const MAX_ROUNDS = 50;

function row(state: Pick<TaskState, 'tenantId' | 'taskId'>, entry: TimelineEntry): TaskEventDocument {
  return { tenantId: state.tenantId, taskId: state.taskId, ...entry };
}

/**
 * Applies a batch of events to the read model:
 *
 * 1. load every task the batch touches (one query);
 * 2. reduce each task's events in memory (the pure reducer decides duplicates and order);
 * 3. write each changed task with a compare-and-set on its version (concurrently); the version
 *    after an event is that event's seq, so seq assignment is atomic with the state change;
 * 4. record the applied events in `task_events` (one unordered bulk upsert keyed by event id);
 * 5. notify local event streams.
 *
 * A task whose compare-and-set lost goes round again from step 1. A crash between steps 3 and 4
 * leaves the task's timeline ahead of `task_events`; the redelivered event is then a duplicate by
 * id, and step 4 writes its row with the seq the timeline recorded: no gap, no second seq. (Event
 * streams meanwhile fill such a hole from the task's timeline, which always has every seq.)
 */
@Injectable()
export class ProjectionApplier {
  private readonly logger = new Logger(ProjectionApplier.name);

  constructor(
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
    @Inject(TaskNotifier) private readonly notifier: TaskNotifier,
  ) {}

  async apply(batch: readonly ProjectedEvent[]): Promise<ApplyReport> {
    let pending = groupByTask(batch);
    let applied = 0;
    let duplicates = 0;
    const refused: ProjectedEvent[] = [];

    for (let round = 0; pending.size > 0; round += 1) {
      if (round >= MAX_ROUNDS)
        throw new Error(
          `projection could not settle ${pending.size} task(s) after ${MAX_ROUNDS} conflicting writes`,
        );
      const keys = [...pending.values()].map((events) => ({
        tenantId: events[0]!.tenantId,
        taskId: events[0]!.value.taskId,
      }));
      const { found, foreign } = await this.tasks.loadForProjection(keys);

      const writes: { write: TaskWrite; duplicates: number }[] = [];
      const rows: TaskEventDocument[] = [];
      for (const [taskId, events] of pending) {
        if (foreign.has(taskId)) {
          refused.push(...events);
          continue;
        }
        const before = found.get(taskId) ?? null;
        let state = before;
        const entries: TimelineEntry[] = [];
        let seen = 0;
        for (const event of events) {
          const outcome = applyEvent(state, event);
          if (outcome.kind === 'duplicate') {
            seen += 1;
            // Re-record the row: it may be missing if a crash followed the task write.
            if (state) rows.push(row(state, outcome.entry));
            continue;
          }
          state = outcome.state;
          entries.push(outcome.entry);
        }
        if (state && entries.length > 0)
          writes.push({
            write: { expectedVersion: before ? before.version : null, state, entries },
            duplicates: seen,
          });
        else duplicates += seen;
      }

      const results = await Promise.all(writes.map(({ write }) => this.tasks.compareAndSet(write)));
      const next = new Map<string, ProjectedEvent[]>();
      const touched: string[] = [];
      results.forEach((result, index) => {
        const { write, duplicates: seen } = writes[index]!;
        const taskId = write.state.taskId;
        if (result === 'conflict') {
          next.set(taskId, pending.get(taskId)!);
          return;
        }
        applied += write.entries.length;
        duplicates += seen;
        rows.push(...write.entries.map((entry) => row(write.state, entry)));
        touched.push(taskId);
      });
      await this.events.record(rows);
      for (const taskId of touched) this.notifier.notify(taskId);
      pending = next;
    }
    if (refused.length > 0) {
      this.logger.warn({
        msg: 'refused events whose task belongs to another tenant',
        eventIds: refused.map((e) => e.eventId),
      });
    }
    return { applied, duplicates, refused };
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

import { claimRow, type TaskEventRow } from './log';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState } from './task-state';

/** `skipped`: progress that moved nothing, which only live streams show (they read it from the log). */
export type FoldDecision = 'applied' | 'duplicate' | 'refused' | 'skipped';

/** What became of one event of a fold, and how many rows the fold had made before it. */
export interface FoldStep {
  readonly event: ProjectedEvent;
  readonly decision: FoldDecision;
  readonly rowsBefore: number;
}

export interface Fold {
  /** The task after every event (null: there was none and no event applied). */
  readonly state: TaskState | null;
  /** The `task_events` row of each applied event, in seq order. */
  readonly rows: TaskEventRow[];
  /** The task right after each row of `rows`. */
  readonly after: TaskState[];
  readonly steps: FoldStep[];
}

/**
 * Folds one task's events, in the order given, onto `start` with the projection's reducer: an event
 * already in the timeline is a duplicate, an event whose tenant differs from the task's is refused,
 * progress that does not move the task's status is skipped (token-level progress always is): the
 * store keeps milestones, the log has everything. Every other event is applied and gets the next
 * seq and its row. Pure: the live applier (a batch at a
 * time, on the state it read) and the rebuild (all of a task's events at once, from nothing) share it,
 * so they write the same documents and rows for the same events.
 */
export function foldEvents(start: TaskState | null, events: readonly ProjectedEvent[]): Fold {
  let state = start;
  const rows: TaskEventRow[] = [];
  const after: TaskState[] = [];
  const steps: FoldStep[] = [];
  for (const event of events) {
    const rowsBefore = rows.length;
    if (state !== null && event.tenantId !== state.tenantId) {
      steps.push({ event, decision: 'refused', rowsBefore });
      continue;
    }
    if (event.kind === 'taskProgress' && event.value.tokenDelta !== null) {
      steps.push({ event, decision: 'skipped', rowsBefore });
      continue;
    }
    const outcome = applyEvent(state, event);
    if (outcome.kind === 'duplicate') {
      steps.push({ event, decision: 'duplicate', rowsBefore });
      continue;
    }
    if (event.kind === 'taskProgress' && !outcome.entry.advanced) {
      steps.push({ event, decision: 'skipped', rowsBefore });
      continue;
    }
    state = outcome.state;
    rows.push(claimRow(state, outcome.entry, event));
    after.push(state);
    steps.push({ event, decision: 'applied', rowsBefore });
  }
  return { state, rows, after, steps };
}

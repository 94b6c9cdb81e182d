import { type TopicKey } from '@tributary/contracts';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState, type TimelineEntry } from './task-state';
import { type TenantId, tenantId } from './tenant';

/*
 * A task's log: one row per applied event, in seq order, each the claim of one seq. The read model
 * stores the rows in `task_events` (keyed by `taskEventId`) next to a snapshot of the task; any
 * applier or reader can replay a row onto the state before it, because the reducer is deterministic.
 */

/** Seqs are written with this many digits in row ids, so ids sort by (task, seq). */
const SEQ_DIGITS = 10;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/**
 * The `_id` of the row that holds seq `seq` of a task: `<taskId>#<seq, zero-padded to 10 digits>`.
 * Every read and write of `task_events` on a hot path is by this id. The fixed-width suffix keeps the
 * mapping one-to-one whatever characters a task id holds, and makes ids sort by task, then seq.
 */
export function taskEventId(taskId: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) {
    throw new RangeError(`seq must be an integer from 1 to ${MAX_SEQ}, got ${seq}`);
  }
  return `${taskId}#${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/**
 * One applied event: the claim of seq `seq` of a task, what an SSE client receives, and (in `kind` and
 * `value`) the event itself, so that any applier can reapply a claim whose task write never happened.
 * Rows are inserted once and never changed.
 */
export interface TaskEventRow extends TimelineEntry {
  /** `taskEventId(taskId, seq)`: the primary key is what makes a claim atomic. */
  _id: string;
  tenantId: TenantId;
  taskId: string;
  /** The topic the event came from. */
  kind: TopicKey;
  /** The decoded event value, as the projection received it. */
  value: Record<string, unknown>;
}

/** The `task_events` row that claims `entry.seq` of a task for `event`. */
export function claimRow(
  state: Pick<TaskState, 'tenantId' | 'taskId'>,
  entry: TimelineEntry,
  event: ProjectedEvent,
): TaskEventRow {
  return {
    _id: taskEventId(state.taskId, entry.seq),
    tenantId: state.tenantId,
    taskId: state.taskId,
    ...entry,
    kind: event.kind,
    value: event.value,
  };
}

/** The event a row recorded, as the projection received it. */
export function storedEvent(row: TaskEventRow): ProjectedEvent {
  if (typeof row.kind !== 'string' || typeof row.value !== 'object' || row.value === null) {
    throw new Error(`task_events row ${row._id} carries no event to reapply`);
  }
  return {
    kind: row.kind satisfies TopicKey,
    eventId: row.eventId,
    tenantId: tenantId(row.tenantId),
    occurredAt: new Date(row.at),
    value: row.value,
  } as unknown as ProjectedEvent;
}

/**
 * Reapplies a claimed row to the state right before it. The reducer is deterministic, so this gives
 * the state the claimer computed; a row that does not continue `state` means the log is broken.
 */
export function replay(state: TaskState | null, row: TaskEventRow): TaskState {
  const expected = (state?.version ?? 0) + 1;
  const outcome = applyEvent(state, storedEvent(row));
  if (
    row.seq !== expected ||
    outcome.kind !== 'applied' ||
    outcome.entry.seq !== row.seq ||
    outcome.state.tenantId !== row.tenantId
  ) {
    throw new Error(
      `task_events row ${row._id} (event ${row.eventId}) does not continue task ${row.taskId} at version ${expected - 1}`,
    );
  }
  return outcome.state;
}

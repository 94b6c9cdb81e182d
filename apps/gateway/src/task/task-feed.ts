import { type CausalPosition, formatPosition, parsePosition } from '@tributary/contracts';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState, type TimelineEntry } from './task-state';

/** A decoded event of a task with where it sits in the task's causal order (ADR 0007). */
export type PositionedEvent = ProjectedEvent & { readonly position: CausalPosition | null };

/** One message of a task's live stream. */
export interface FeedEntry {
  /** The SSE id: the event's causal position, stable on every gateway, so a client can resume after it. */
  readonly id: string;
  readonly entry: TimelineEntry;
}

/** The stream id of an event: its position, or its event id for an event from before positions. */
export function feedId(event: Pick<PositionedEvent, 'position' | 'eventId'>): string {
  return event.position ? formatPosition(event.position) : event.eventId;
}

/** Whether a `Last-Event-ID` can be a stream id (a position, or an event id). */
export function isFeedId(value: string): boolean {
  return parsePosition(value) !== undefined || /^[0-9a-f-]{36}$/.test(value);
}

/**
 * A task's events folded, in causal order, into what its stream shows: the reducer decides each
 * event's status (never backwards) and drops repeats; nothing after the terminal event is shown.
 */
export class TaskFeed {
  private state: TaskState | null = null;
  private readonly ids = new Set<string>();

  /** The entry this event adds to the stream, or undefined for a repeat or an event after the end. */
  apply(event: PositionedEvent): FeedEntry | undefined {
    if (this.state?.terminal) return undefined;
    const outcome = applyEvent(this.state, event);
    if (outcome.kind === 'duplicate') return undefined;
    this.state = outcome.state;
    // Producers that assign no positions (or the same one twice) still get unique ids.
    let id = feedId(event);
    if (this.ids.has(id)) id = event.eventId;
    this.ids.add(id);
    return { id, entry: outcome.entry };
  }

  get ended(): boolean {
    return this.state?.terminal ?? false;
  }
}

import { type CausalPosition, comparePositions } from './causal-position';

/** What the reorder buffer needs of one event of a task. */
export interface Ordered {
  readonly eventId: string;
  readonly causationId: string | null;
  /** Null for events from before producers assigned positions: they pass in arrival order. */
  readonly position: CausalPosition | null;
}

interface Held<T> {
  readonly event: T;
  readonly since: number;
}

/** The cause an event is ordered after, and its place among that cause's events; null for a root. */
function orderedAfter(event: Ordered): { cause: string; index: number } | null {
  // Depth 0: no cause, or one it runs concurrently with (the gateway's deadline failure).
  if (event.position === null || event.causationId === null || event.position.depth === 0) return null;
  return { cause: event.causationId, index: event.position.index };
}

/**
 * Puts the events of one task, merged from several topics in arrival order, back in the order in
 * which they happened (ADR 0007). An event is released once the event before it has been: the one
 * with the previous index of the same cause, or for index 0 its cause. A root event (depth 0: no
 * cause, or one it runs concurrently with, as the gateway's deadline failure does) and an event
 * without a position are released at once. Duplicates (the same event id) are dropped.
 *
 * An event whose predecessor never arrives (it was on a topic the reader does not follow, or the
 * reader joined after it) is released by `expire()` once it has waited `windowMs`, so a gap delays
 * a stream but never stalls it.
 */
export class CausalReorder<T extends Ordered> {
  private readonly seen = new Set<string>();
  /** Per cause event id: how many of the events it caused have been released, in index order. */
  private readonly releasedChildren = new Map<string, number>();
  private held: Held<T>[] = [];

  constructor(private readonly windowMs: number) {}

  /** Takes one event; returns the events it makes ready (it, and any held ones it unblocks), in order. */
  offer(event: T, now = Date.now()): T[] {
    if (this.seen.has(event.eventId)) return [];
    this.seen.add(event.eventId);
    if (!this.isReady(event)) {
      this.held.push({ event, since: now });
      return [];
    }
    const released = [event];
    this.release(event);
    released.push(...this.drain());
    return released;
  }

  /** Releases the events that have waited longer than the window (oldest position first), and what they unblock. */
  expire(now = Date.now()): T[] {
    return this.releaseHeld((h) => now - h.since >= this.windowMs);
  }

  /** Releases every held event (oldest position first): the reader has all it will get. */
  flush(): T[] {
    return this.releaseHeld(() => true);
  }

  private releaseHeld(due_: (held: Held<T>) => boolean): T[] {
    const due = this.held.filter(due_).sort((a, b) => comparePositions(a.event.position!, b.event.position!));
    const released: T[] = [];
    for (const { event } of due) {
      if (!this.held.some((h) => h.event === event)) continue;
      this.held = this.held.filter((h) => h.event !== event);
      released.push(event);
      this.release(event);
      released.push(...this.drain());
    }
    return released;
  }

  /** Events waiting for their predecessor. */
  get pending(): number {
    return this.held.length;
  }

  private isReady(event: T): boolean {
    const after = orderedAfter(event);
    if (after === null) return true;
    const releasedSiblings = this.releasedChildren.get(after.cause);
    if (after.index === 0) return releasedSiblings !== undefined;
    return releasedSiblings === after.index;
  }

  private release(event: T): void {
    if (!this.releasedChildren.has(event.eventId)) this.releasedChildren.set(event.eventId, 0);
    const after = orderedAfter(event);
    if (after === null) return;
    const count = this.releasedChildren.get(after.cause) ?? 0;
    this.releasedChildren.set(after.cause, Math.max(count, after.index + 1));
  }

  private drain(): T[] {
    const released: T[] = [];
    for (let progressed = true; progressed;) {
      progressed = false;
      for (const held of this.held) {
        if (!this.isReady(held.event)) continue;
        this.held = this.held.filter((h) => h !== held);
        released.push(held.event);
        this.release(held.event);
        progressed = true;
        break;
      }
    }
    return released;
  }
}

/**
 * A task's whole history in the order it happened, the same on every reader: by the producers'
 * clocks (then position, then id), corrected by causality, so a cause comes before its effects and
 * a cause's events keep their index order even where clocks disagree. Events that are not causally
 * related (a cancel request and the stage it stops) keep their clock order.
 */
export function inCausalOrder<T extends Ordered>(events: readonly T[], clockOf: (event: T) => number): T[] {
  const byClock = [...events].sort(
    (a, b) =>
      clockOf(a) - clockOf(b) ||
      (a.position && b.position ? comparePositions(a.position, b.position) : 0) ||
      a.eventId.localeCompare(b.eventId),
  );
  const reorder = new CausalReorder<T>(Number.POSITIVE_INFINITY);
  return [...byClock.flatMap((event) => reorder.offer(event, 0)), ...reorder.flush()];
}

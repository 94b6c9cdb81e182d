import { OffsetTracker } from '../offset-tracker';
import { type PartitionState } from './work';

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The partitions this member owns, as the group assigns them: each one's state is created at its
 * first fetch and forgotten when a rebalance takes the partition away (a partition handed back
 * later starts afresh from the committed offset).
 */
export class Assignment {
  private readonly partitions = new Map<string, PartitionState>();
  private assignment: ReadonlyMap<string, readonly number[]> = new Map();
  private moving = false;

  /** Between REBALANCING and the next GROUP_JOIN: this member's generation is over, commits wait. */
  get rebalancing(): boolean {
    return this.moving;
  }

  rebalanceStarted(): void {
    this.moving = true;
  }

  /**
   * An assigned partition's state; a new one tracks offsets from `startOffset`, its first fetched
   * offset, and takes the high watermark of that first fetch as the offset from which no member of
   * the group can have seen a message (nothing past the end could be fetched before this member
   * was assigned the partition; a later watermark than the one at assignment only errs on the safe side).
   */
  partition(topic: string, partition: number, startOffset: number, highWatermark: number): PartitionState {
    const key = partitionKey(topic, partition);
    let state = this.partitions.get(key);
    if (!state) {
      state = {
        topic,
        partition,
        tracker: new OffsetTracker(startOffset),
        revoked: false,
        highWatermark: startOffset,
        unseenFrom: highWatermark,
        running: new Set(),
      };
      this.partitions.set(key, state);
    }
    return state;
  }

  owned(): IterableIterator<PartitionState> {
    return this.partitions.values();
  }

  /** The partitions the group assigned to this member at its last join, by topic (fetched or not). */
  assigned(): ReadonlyMap<string, readonly number[]> {
    return this.assignment;
  }

  /** An assigned partition's state, if it has been fetched since the assignment. */
  find(topic: string, partition: number): PartitionState | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  /**
   * Takes the group's new assignment (GROUP_JOIN's member assignment) and ends the rebalance.
   * Returns the partitions it no longer holds, marked revoked and forgotten: their queued,
   * delayed and running work belongs to the next owner now.
   */
  joined(assignment: Record<string, number[]>): PartitionState[] {
    this.assignment = new Map(
      Object.entries(assignment).map(([topic, partitions]) => [topic, [...partitions]]),
    );
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) assigned.add(partitionKey(topic, partition));
    }
    const lost: PartitionState[] = [];
    for (const [key, state] of this.partitions) {
      if (assigned.has(key)) continue;
      state.revoked = true;
      this.partitions.delete(key);
      lost.push(state);
    }
    this.moving = false;
    return lost;
  }
}

/**
 * Per-partition bookkeeping for out-of-order completion (the idea of Confluent's Parallel Consumer):
 * messages of one partition finish in any order, but the offset we may commit is the lowest one
 * that is not finished yet, so a crash never skips unfinished work; everything above it that
 * already finished is handled again after a restart (at-least-once).
 *
 * Offsets arrive in increasing order (one fetch position per partition). Offsets are kept as
 * numbers: exact up to 2^53, some 285 years at a million messages a second.
 */
export class OffsetTracker {
  /** Offsets handed in and not yet dropped from the front, in arrival (= ascending) order. */
  private readonly offsets: number[] = [];
  private readonly finished = new Set<number>();
  private head = 0;
  /** The next offset we expect; everything below it was handed in (or skipped by Kafka). */
  private next: number;
  private committedOffset: number;

  /** `start`: the partition's committed offset when we began tracking it. */
  constructor(start: number) {
    this.next = start;
    this.committedOffset = start;
  }

  /**
   * Records a fetched offset. Returns false for an offset already seen, which happens when a
   * rebalance hands the same partition back and the fetch restarts at the committed offset.
   */
  track(offset: number): boolean {
    if (offset < this.next) return false;
    this.offsets.push(offset);
    this.next = offset + 1;
    return true;
  }

  /** Whether this offset is tracked and not finished. */
  isPending(offset: number): boolean {
    return offset >= this.lowestUnfinished() && offset < this.next && !this.finished.has(offset);
  }

  finish(offset: number): void {
    if (offset < this.lowestUnfinished() || offset >= this.next) return;
    this.finished.add(offset);
    while (this.head < this.offsets.length) {
      const front = this.offsets[this.head] as number;
      if (!this.finished.delete(front)) break;
      this.head += 1;
    }
    // Compact now and then so the array does not grow with the partition.
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit: the lowest unfinished one, or the next expected when all are done. */
  lowestUnfinished(): number {
    return this.head < this.offsets.length ? (this.offsets[this.head] as number) : this.next;
  }

  /** How many tracked offsets are not finished. */
  get unfinished(): number {
    return this.offsets.length - this.head - this.finished.size;
  }

  get committed(): number {
    return this.committedOffset;
  }

  /** What should be committed now, or undefined when the committed offset is already current. */
  commitCandidate(): number | undefined {
    const candidate = this.lowestUnfinished();
    return candidate > this.committedOffset ? candidate : undefined;
  }

  markCommitted(offset: number): void {
    if (offset > this.committedOffset) this.committedOffset = offset;
  }
}

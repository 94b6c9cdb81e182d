/**
 * Group commit for the projection: the consumer hands over events one by one (one handler call
 * per message, concurrently across tasks); while a write is in flight the next events queue up
 * and go together in the following write. Each caller's promise settles when the write that
 * carried its event has settled, so the consumer commits an offset only after its event is stored.
 *
 * With `lingerMs`, a write that would start from idle waits that long first (or until `maxBatch`
 * items have queued): under a light load the events of one task, a few milliseconds apart, then share
 * a write instead of each taking its own. Under load writes follow each other and never linger.
 */
export class GroupCommitter<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private running = false;
  private lingering: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<(index: number) => R>,
    private readonly maxBatch: number,
    private readonly lingerMs = 0,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      if (this.lingerMs > 0 && this.queue.length < this.maxBatch) {
        this.lingering ??= setTimeout(() => this.drain(), this.lingerMs);
        return;
      }
      this.drain();
    });
  }

  private drain(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    void this.flush(batch.map((entry) => entry.item))
      .then(
        (resultFor) => batch.forEach((entry, index) => entry.resolve(resultFor(index))),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        this.running = false;
        this.drain();
      });
  }
}

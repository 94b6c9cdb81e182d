import { TOPICS } from '@tributary/contracts';
import { type EventProducer, pending, type PendingEvent, type UntypedDelivery } from '@tributary/kafka';

/** How often streamed tokens are flushed as one progress event: live enough, without an event per token. */
const TOKEN_FLUSH_MS = 250;

type Cause = Pick<UntypedDelivery, 'envelope'> & { value: { taskId: string; tenantId: string } };

/**
 * Progress of one handler run, published on the progress topic. Event ids derive from the cause
 * and a running number, so a handler that runs again after a crash re-emits the same ids and the
 * projection shows each step once.
 */
export class ProgressReporter {
  private step = 0;
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  /** Events queued while a publish is in flight: they go together, in one request, when it completes. */
  private batch: PendingEvent[] = [];

  constructor(
    private readonly producer: EventProducer,
    private readonly cause: Cause,
    private readonly stage: string,
  ) {}

  /**
   * Queues a progress event and returns at once: the work goes on while it is published, in order
   * after the events queued before it (one request at a time, carrying every event queued while
   * the previous one was in flight). A failure to publish surfaces at the step's closing
   * `flushTokens()`, which waits for every queued event, so the step is retried rather than
   * finished with its progress lost. A step awaits it (through its `settle()`) before it emits its
   * result, so the result's causal position comes after all of its progress.
   */
  report(message: string): Promise<void> {
    this.queueTokens();
    this.enqueue(message, null);
    return Promise.resolve();
  }

  /** For `onToken`: collects deltas and publishes them in small batches, in order. */
  readonly token = (delta: string): void => {
    this.buffer += delta;
    this.timer ??= setTimeout(() => this.queueTokens(), TOKEN_FLUSH_MS);
  };

  /**
   * Publishes the collected tokens and waits until every queued progress event is published: the
   * step's `settle()` calls it before the result is emitted (positions are assigned in emission order).
   */
  async flushTokens(): Promise<void> {
    this.queueTokens();
    await this.pending;
  }

  private queueTokens(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer !== '') {
      const delta = this.buffer;
      this.buffer = '';
      this.enqueue('tokens', delta);
    }
  }

  private enqueue(message: string, tokenDelta: string | null): void {
    const { taskId, tenantId } = this.cause.value;
    this.step += 1;
    this.batch.push(
      pending(
        TOPICS.taskProgress,
        { taskId, tenantId, stage: this.stage, message, tokenDelta, at: Date.now() },
        { causedBy: this.cause.envelope, discriminator: `${this.stage}#${this.step}` },
      ),
    );
    if (this.batch.length > 1) return;
    this.pending = this.pending.then(() => this.producer.emitMany(this.batch.splice(0)));
    // Handled here so a failure is not an unhandled rejection before flushTokens() awaits it.
    this.pending.catch(() => undefined);
  }
}

import { TOPICS } from '@tributary/contracts';
import { type EventProducer, pending, type PendingEvent, type UntypedDelivery } from '@tributary/kafka';

/** How often streamed tokens are flushed as one progress event: live enough, without an event per token. */
const TOKEN_FLUSH_MS = 250;

/**
 * How long a progress event waits for company before it is published: the reports of a quick step
 * (and the offline LLM's steps take milliseconds) then go in one produce request, published by the
 * step's closing `settle()`, instead of one request for the first report and one for the rest.
 */
const PROGRESS_LINGER_MS = 100;

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
  private lingering: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  /** Events not published yet: they go together, in one request, when the linger ends or the one in flight completes. */
  private batch: PendingEvent[] = [];
  /** A publish is chained behind the one in flight and takes whatever the batch holds when it starts. */
  private chained = false;

  constructor(
    private readonly producer: EventProducer,
    private readonly cause: Cause,
    private readonly stage: string,
  ) {}

  /**
   * Queues a progress event and returns at once: the work goes on while it is published, in order
   * after the events queued before it (one request at a time, carrying every event queued while
   * the previous one was in flight or within PROGRESS_LINGER_MS). A failure to publish surfaces at the step's closing
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
    this.publish();
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
    if (!this.chained) this.lingering ??= setTimeout(() => this.publish(), PROGRESS_LINGER_MS);
  }

  /** Publishes the batch after the request in flight, if any (at once otherwise). */
  private publish(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (this.chained || this.batch.length === 0) return;
    this.chained = true;
    this.pending = this.pending.then(() => {
      this.chained = false;
      const events = this.batch.splice(0);
      return events.length > 0 ? this.producer.emitMany(events) : undefined;
    });
    // Handled here so a failure is not an unhandled rejection before flushTokens() awaits it.
    this.pending.catch(() => undefined);
  }
}

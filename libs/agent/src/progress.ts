import { TOPICS } from '@tributary/contracts';
import { type EventProducer, type UntypedDelivery } from '@tributary/kafka';

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

  constructor(
    private readonly producer: EventProducer,
    private readonly cause: Cause,
    private readonly stage: string,
  ) {}

  async report(message: string): Promise<void> {
    await this.flushTokens();
    await this.emit(message, null);
  }

  /** For `onToken`: collects deltas and publishes them in small batches, in order. */
  readonly token = (delta: string): void => {
    this.buffer += delta;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flushTokens();
    }, TOKEN_FLUSH_MS);
  };

  async flushTokens(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer !== '') {
      const delta = this.buffer;
      this.buffer = '';
      this.pending = this.pending.then(() => this.emit('tokens', delta));
    }
    await this.pending;
  }

  private async emit(message: string, tokenDelta: string | null): Promise<void> {
    const { taskId, tenantId } = this.cause.value;
    this.step += 1;
    await this.producer.emit(
      TOPICS.taskProgress,
      { taskId, tenantId, stage: this.stage, message, tokenDelta, at: Date.now() },
      { causedBy: this.cause.envelope, discriminator: `${this.stage}#${this.step}` },
    );
  }
}

import { type LoggerService } from '@nestjs/common';
import { type UndeliverableHandler, type UndeliverableMessage } from '../delivery';
import { errorMessage, isRetriable } from '../errors';
import { stripFailureHeaders } from '../failure';
import { isAbandoned, type Work } from './work';

/** Calls of the hook for one message, the first included; about 20 s of backoff in all. */
const MAX_CALLS = 8;

export interface UndeliverableReporterOptions {
  readonly handler: UndeliverableHandler;
  readonly logger: LoggerService;
  /** Trying again stops once the consumer has stopped. */
  readonly stopped: () => boolean;
  /** Waits between calls; tests pass one that does not. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Tells the consumer's owner of a message dead-lettered before any handler saw it. A retriable
 * failure of the hook is tried again with backoff, a few times, while the partition is held; then
 * (or at once for a permanent failure) it is logged and the message's offset is finished anyway:
 * the dead letter is written, and a hook must not hold a partition's commits for good.
 */
export class UndeliverableReporter {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: UndeliverableReporterOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async report(work: Work, error: unknown): Promise<void> {
    const message: UndeliverableMessage = {
      topic: work.origin.topic,
      partition: work.origin.partition,
      offset: work.origin.offset,
      key: work.message.key === null ? null : work.message.key.toString(),
      headers: stripFailureHeaders(work.message.headers),
      attempts: work.attempt,
      error,
    };
    const where = `${message.topic}/${message.partition}/${message.offset}`;
    for (let call = 1; ; call += 1) {
      try {
        await this.options.handler(message);
        return;
      } catch (failure) {
        const again =
          isRetriable(failure) && call < MAX_CALLS && !isAbandoned(work) && !this.options.stopped();
        if (!again) {
          this.options.logger.error(
            `the hook for the undeliverable message ${where} failed (call ${call}), giving up: ${errorMessage(failure)}`,
          );
          return;
        }
        this.options.logger.warn(
          `the hook for the undeliverable message ${where} failed (call ${call}), trying again: ${errorMessage(failure)}`,
        );
        await this.sleep(Math.min(5_000, 200 * 2 ** call));
      }
    }
  }
}

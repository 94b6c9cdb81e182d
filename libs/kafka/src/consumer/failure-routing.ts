import { type LoggerService } from '@nestjs/common';
import { type BackoffPolicy, backoffDelay } from '@tributary/platform';
import { errorClassName, errorMessage, isRetriable } from '../errors';
import { type FailureRecord, withFailureHeaders } from '../failure';
import { type RawProducer } from '../producer';
import { isAbandoned, type Origin, type Work } from './work';

export interface RetryPolicy extends BackoffPolicy {
  /** Deliveries of one message, the first included, before it is dead-lettered. */
  readonly maxAttempts: number;
}

/** What happens to a message whose handler failed. */
export type FailureRoute =
  | { readonly to: 'retry' | 'dead-letter'; readonly failure: FailureRecord }
  /** Its partition was lost or shutdown gave up on it: nothing is published, the next owner redoes it. */
  | { readonly to: 'nowhere' };

export interface FailedAttempt {
  readonly origin: Origin;
  readonly attempt: number;
  /** The failure record of the earlier attempts, for a message read from the retry topic. */
  readonly previous?: FailureRecord;
  readonly abandoned: boolean;
}

/**
 * Where a failed attempt goes: a retriable error (and any error that is not a TributaryError) to
 * the retry topic, due after an exponential backoff with full jitter, until `maxAttempts`; a
 * permanent error, or the last attempt, to the dead-letter topic.
 */
export function routeFailure(
  failed: FailedAttempt,
  error: unknown,
  policy: RetryPolicy,
  now: Date,
): FailureRoute {
  if (failed.abandoned) return { to: 'nowhere' };
  const retry = isRetriable(error) && failed.attempt < policy.maxAttempts;
  const failure: FailureRecord = {
    originTopic: failed.origin.topic,
    originPartition: failed.origin.partition,
    originOffset: failed.origin.offset,
    attempts: failed.attempt,
    errorClass: errorClassName(error),
    errorMessage: errorMessage(error),
    firstFailureAt: failed.previous?.firstFailureAt || now.toISOString(),
    lastFailureAt: now.toISOString(),
    ...(retry
      ? { retryDueAt: new Date(now.getTime() + backoffDelay(failed.attempt, policy)).toISOString() }
      : {}),
  };
  return { to: retry ? 'retry' : 'dead-letter', failure };
}

/** The `errorClass` of a copy that was deferred, not failed. */
export const DEFERRED = 'Deferred';

export interface FailureRouterOptions {
  readonly retryTopic: string;
  readonly deadLetterTopic: string;
  /** Publishes the retry and dead-letter copies; must be idempotent. */
  readonly producer: RawProducer;
  readonly policy: RetryPolicy;
  readonly logger: LoggerService;
  /** Publishing stops trying once the consumer has stopped. */
  readonly stopped: () => boolean;
}

/** Publishes failed messages (original key, bytes and headers, plus failure headers) to the retry or dead-letter topic. */
export class FailureRouter {
  private retriedCount = 0;
  private deadLetteredCount = 0;
  private deferredCount = 0;

  constructor(private readonly options: FailureRouterOptions) {}

  get retried(): number {
    return this.retriedCount;
  }

  get deadLettered(): number {
    return this.deadLetteredCount;
  }

  get deferred(): number {
    return this.deferredCount;
  }

  /**
   * Copies a message whose handler asked for it again (`delivery.defer`) to the retry topic, due
   * at `dueAt`, with its attempts unchanged: a deferral is no failure. Returns whether the copy was
   * published (then the offset may be finished), like route().
   */
  async defer(work: Work, dueAt: number): Promise<boolean> {
    if (isAbandoned(work)) return false;
    const { previous } = work;
    const failure: FailureRecord = {
      originTopic: work.origin.topic,
      originPartition: work.origin.partition,
      originOffset: work.origin.offset,
      attempts: work.attempt - 1,
      errorClass: previous?.errorClass ?? DEFERRED,
      errorMessage: previous?.errorMessage ?? 'deferred by its handler',
      firstFailureAt: previous?.firstFailureAt ?? '',
      lastFailureAt: previous?.lastFailureAt ?? '',
      retryDueAt: new Date(dueAt).toISOString(),
    };
    const published = await this.publish(work, {
      topic: this.options.retryTopic,
      messages: [
        {
          key: work.message.key,
          value: work.message.value,
          headers: withFailureHeaders(work.message.headers, failure),
        },
      ],
    });
    if (published) this.deferredCount += 1;
    return published;
  }

  /**
   * Routes a failed message. Returns where its copy went, after which its offset may be finished;
   * null when it may not: the partition was lost or the work was abandoned at shutdown (the next
   * owner redoes it), or the copy could not be published.
   */
  async route(work: Work, error: unknown): Promise<'retry' | 'dead-letter' | null> {
    const { origin, attempt, previous } = work;
    const failed = { origin, attempt, previous, abandoned: isAbandoned(work) };
    const route = routeFailure(failed, error, this.options.policy, new Date());
    if (route.to === 'nowhere') return null;
    const { failure } = route;
    const topic = route.to === 'retry' ? this.options.retryTopic : this.options.deadLetterTopic;
    const where = `${work.origin.topic}/${work.origin.partition}/${work.origin.offset}`;
    const published = await this.publish(work, {
      topic,
      messages: [
        {
          key: work.message.key,
          value: work.message.value,
          headers: withFailureHeaders(work.message.headers, failure),
        },
      ],
    });
    if (!published) return null;
    if (route.to === 'retry') {
      this.retriedCount += 1;
      this.options.logger.log(
        `attempt ${work.attempt} of ${where} failed (${failure.errorClass}: ${failure.errorMessage}); retry due ${failure.retryDueAt}`,
      );
    } else {
      this.deadLetteredCount += 1;
      this.options.logger.warn(
        `dead-lettered ${where} after ${work.attempt} attempt(s) (${failure.errorClass}: ${failure.errorMessage})`,
      );
    }
    return route.to;
  }

  /** Publishes with retries until it succeeds, the partition is lost or the consumer stops. */
  private async publish(work: Work, record: Parameters<RawProducer['send']>[0]): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.producer.send(record);
        return true;
      } catch (error) {
        if (isAbandoned(work) || this.options.stopped()) return false;
        this.options.logger.error(
          `cannot publish to ${record.topic} (try ${attempt}): ${errorMessage(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** Math.min(attempt, 5))));
      }
    }
  }
}

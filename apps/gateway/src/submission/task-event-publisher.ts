import {
  type Envelope,
  type EventPriority,
  type EventValue,
  type TopicDefinition,
} from '@tributary/contracts';
import { ProduceOutcomeUnknownError } from '@tributary/kafka';
import { errorMessage, RetriableError, type TributaryErrorOptions } from '@tributary/platform';

export interface PublishOptions {
  /** The task's scheduling class; every event the agents emit for it inherits it. */
  readonly priority?: EventPriority;
  /** Its index among the task's root events (ROOT_EVENT_INDEX): see ADR 0007. */
  readonly rootIndex?: number;
  /** The event it answers (its id derives from it, its trace continues); by default none. */
  readonly causedBy?: Envelope;
  /**
   * The event's identity within its task: published again (a client's retry after a timeout), it has
   * the same event id, and consumers drop the copy.
   */
  readonly rootKey?: string;
}

/**
 * What the gateway publishes (task requests, cancellations), behind a port so use cases never see
 * Kafka. `publish` resolves once Kafka has the event, or rejects with PublishNotSentError (it
 * certainly has not) or PublishOutcomeUnknownError (it may have, or may still get it).
 */
export interface TaskEventPublisher {
  publish<T extends TopicDefinition>(topic: T, value: EventValue<T>, options?: PublishOptions): Promise<void>;
}

export const TASK_EVENT_PUBLISHER = Symbol('TASK_EVENT_PUBLISHER');

/** The part of the runtime's EventProducer this adapter uses. */
export interface EmitsEvents {
  emit<T extends TopicDefinition>(topic: T, value: EventValue<T>, options?: PublishOptions): Promise<unknown>;
}

/** The event was certainly not published: it failed before any request to Kafka was made. */
export class PublishNotSentError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'PublishNotSentError';
  }
}

/**
 * Kafka did not acknowledge in time, or the request failed after it was made: the event may have
 * been published, or may still be (a request held up by the network lands when it gets through).
 */
export class PublishOutcomeUnknownError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'PublishOutcomeUnknownError';
  }
}

/**
 * Publishes through the runtime's idempotent producer with a time limit, so a request never hangs
 * on a broker that is down. Past the limit the emit is not withdrawn (a producer cannot take back a
 * request): the outcome is unknown, and it lands if the request gets through.
 */
export class KafkaTaskEventPublisher implements TaskEventPublisher {
  constructor(
    private readonly producer: EmitsEvents,
    private readonly timeoutMs: number,
  ) {}

  async publish<T extends TopicDefinition>(
    topic: T,
    value: EventValue<T>,
    options: PublishOptions = {},
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.producer.emit(topic, value, options),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new PublishOutcomeUnknownError(`no acknowledgement from Kafka within ${this.timeoutMs} ms`),
              ),
            this.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof PublishOutcomeUnknownError) throw error;
      if (error instanceof ProduceOutcomeUnknownError)
        throw new PublishOutcomeUnknownError(errorMessage(error), { cause: error });
      throw new PublishNotSentError(`the event was not sent to Kafka: ${errorMessage(error)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

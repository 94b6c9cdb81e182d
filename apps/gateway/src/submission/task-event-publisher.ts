import {
  type Envelope,
  type EventPriority,
  type EventValue,
  type TopicDefinition,
} from '@tributary/contracts';

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

/** What the gateway publishes (task requests, cancellations), behind a port so use cases never see Kafka. */
export interface TaskEventPublisher {
  publish<T extends TopicDefinition>(topic: T, value: EventValue<T>, options?: PublishOptions): Promise<void>;
}

export const TASK_EVENT_PUBLISHER = Symbol('TASK_EVENT_PUBLISHER');

/** The part of the runtime's EventProducer this adapter uses. */
export interface EmitsEvents {
  emit<T extends TopicDefinition>(topic: T, value: EventValue<T>, options?: PublishOptions): Promise<unknown>;
}

export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';
}

/**
 * Publishes through the runtime's idempotent producer with a time limit, so a request never hangs
 * on a broker that is down. Past the limit the outcome is unknown: the event may still land. The
 * use case says so, and a retry with the same Idempotency-Key publishes the same event (same id,
 * from `rootKey`), which consumers deduplicate.
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
              reject(new PublishTimeoutError(`no acknowledgement from Kafka within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

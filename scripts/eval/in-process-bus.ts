import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  type Envelope,
  type EventValue,
  mintEnvelope,
  type TopicDefinition,
  topicByName,
} from '@tributary/contracts';
import {
  type EmitOptions,
  type EventProducer,
  invalidPaths,
  isRetriable,
  type PendingEvent,
  type UntypedDelivery,
} from '@tributary/kafka';
import { Type } from 'avsc';
import { isObservable, lastValueFrom } from 'rxjs';

/** One event a task produced, in the order it was published. */
export interface BusEvent {
  readonly topic: string;
  readonly value: unknown;
}

export interface TaskRun {
  readonly events: readonly BusEvent[];
  /** What a handler threw when its delivery ran out of attempts or could not be retried. */
  readonly error?: unknown;
}

/**
 * Kafka for one process: a Nest transport whose producer hands each event to the `@OnEvent`
 * handlers of its topic, in order, one task at a time per queue. It checks every value against its
 * topic's schema (as the registry-backed serializer does) and retries a handler that throws a
 * retriable error up to `maxAttempts`, as the retry topic would, without the back-off delay.
 */
export class InProcessBus extends Server implements CustomTransportStrategy {
  private readonly queues = new Map<string, UntypedDelivery[]>();
  private readonly logs = new Map<string, BusEvent[]>();
  private readonly types = new Map<string, Type>();

  constructor(private readonly maxAttempts: number) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    callback();
  }

  close(): void {}

  on(): void {}

  unwrap<T>(): T {
    throw new Error('the in-process bus wraps no client');
  }

  /** The producer to hand to the agents (only `emit` and `emitMany` are used). */
  get producer(): EventProducer {
    const producer: Pick<EventProducer, 'emit' | 'emitMany'> = {
      emit: <T extends TopicDefinition>(topic: T, value: EventValue<T>, options: EmitOptions = {}) =>
        Promise.resolve(this.publish(topic, value, options)),
      emitMany: (events: readonly PendingEvent[]) => {
        for (const event of events) this.check(event.topic, event.value);
        return Promise.resolve(events.map((event) => this.publish(event.topic, event.value, event.options)));
      },
    };
    return producer as EventProducer;
  }

  /**
   * Publishes a task's first event and runs every handler its events reach until the task has no
   * event left to deliver (or a delivery failed for good). Returns all the events of the task, in order.
   */
  async run<T extends TopicDefinition>(topic: T, value: EventValue<T>): Promise<TaskRun> {
    const { taskId } = value as { taskId: string };
    this.publish(topic, value, {});
    const queue = this.queues.get(taskId) ?? [];
    try {
      for (let next = queue.shift(); next; next = queue.shift()) await this.deliver(next);
      return { events: this.logs.get(taskId) ?? [] };
    } catch (error) {
      return { events: this.logs.get(taskId) ?? [], error };
    } finally {
      this.queues.delete(taskId);
      this.logs.delete(taskId);
    }
  }

  private publish(topic: TopicDefinition, value: unknown, options: EmitOptions): Envelope {
    this.check(topic, value);
    const { taskId, tenantId } = value as { taskId: string; tenantId: string };
    const key = options.key ?? taskId;
    const envelope = mintEnvelope({
      eventType: topic.name,
      correlationId: key,
      tenantId: options.tenantId ?? tenantId,
      producer: 'eval',
      schemaVersion: topic.schemaVersion,
      causedBy: options.causedBy,
      priority: options.priority,
      discriminator: options.discriminator,
    });
    const delivery: UntypedDelivery = {
      topic: topic.name,
      partition: 0,
      offset: '0',
      key,
      envelope,
      attempt: 1,
      firstDelivery: true,
      headers: {},
      signal: new AbortController().signal,
      definition: topic,
      value: structuredClone(value),
      defer: () => {
        // No agent defers; the gateway's deadline consumer, which does, is not part of an evaluation.
        throw new Error('deferring is not supported by the in-process bus');
      },
    };
    if (!this.logs.has(key)) this.logs.set(key, []);
    if (!this.queues.has(key)) this.queues.set(key, []);
    this.logs.get(key)?.push({ topic: topic.name, value: delivery.value });
    this.queues.get(key)?.push(delivery);
    return envelope;
  }

  private async deliver(delivery: UntypedDelivery): Promise<void> {
    let handler: MessageHandler | undefined = this.getHandlerByPattern(delivery.topic) ?? undefined;
    for (; handler; handler = handler.next as MessageHandler | undefined) {
      await this.invokeWithRetries(handler, delivery);
    }
  }

  private async invokeWithRetries(handler: MessageHandler, first: UntypedDelivery): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const delivery = attempt === 1 ? first : { ...first, attempt, firstDelivery: false };
      try {
        const result: unknown = await handler(delivery);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        return;
      } catch (error) {
        // A permanent error would go to the dead-letter topic: the task's events end here.
        if (!isRetriable(error) || attempt >= this.maxAttempts) throw error;
      }
    }
  }

  private check(topic: TopicDefinition, value: unknown): void {
    if (!topicByName(topic.name)) throw new Error(`${topic.name} is no topic of the catalogue`);
    const type =
      this.types.get(topic.name) ?? Type.forSchema(topic.schema as Parameters<typeof Type.forSchema>[0]);
    this.types.set(topic.name, type);
    const invalid = invalidPaths(type, value);
    if (invalid.length > 0) throw new Error(`${topic.name}: invalid value at ${invalid.join(', ')}`);
  }
}

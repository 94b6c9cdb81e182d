import {
  type Envelope,
  EnvelopeError,
  envelopeFromHeaders,
  type TopicDefinition,
} from '@tributary/contracts';
import { type UntypedDelivery, type UntypedDeliveryHandler } from '../delivery';
import { DecodeError, EventValidationError, PermanentError } from '../errors';
import { decodeUntyped, type EventSerializer } from '../serializer';
import { type Work } from './work';

interface Route {
  readonly definition: TopicDefinition;
  readonly handler: UntypedDeliveryHandler;
}

/** A delivery ready for its handler. */
export interface Prepared {
  readonly handler: UntypedDeliveryHandler;
  readonly delivery: UntypedDelivery;
  /** When the handler asked to see the event again (`delivery.defer`), after it returned; else null. */
  readonly deferredUntil: () => number | null;
}

export interface DispatcherOptions {
  readonly serializer: EventSerializer;
  readonly retryTopic: string;
}

/**
 * The handlers by topic, and the step from fetched work to a typed delivery: the value decoded
 * with the schema of the topic the event was published to, the envelope read from its headers.
 * What cannot be delivered throws a permanent error, so it goes to the dead-letter topic at once.
 */
export class Dispatcher {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly options: DispatcherOptions) {}

  get size(): number {
    return this.routes.size;
  }

  topics(): string[] {
    return [...this.routes.keys()];
  }

  handles(topic: string): boolean {
    return this.routes.has(topic);
  }

  register(topic: TopicDefinition, handler: UntypedDeliveryHandler): void {
    if (this.routes.has(topic.name)) throw new Error(`a handler for ${topic.name} is already registered`);
    this.routes.set(topic.name, { definition: topic, handler });
  }

  async dispatch(work: Work): Promise<void> {
    const { handler, delivery } = await this.prepare(work);
    await handler(delivery);
  }

  /**
   * The delivery for fetched work and the handler it goes to. What throws here was never seen by a
   * handler: a permanent error (undecodable, invalid envelope, no handler) or a registry outage.
   */
  async prepare(work: Work): Promise<Prepared> {
    const { message, origin } = work;
    const context = {
      topic: origin.topic,
      partition: origin.partition,
      offset: origin.offset,
      attempt: work.attempt,
    };
    const { retryTopic, serializer } = this.options;
    if (work.state.topic === retryTopic && work.previous === undefined) {
      throw new PermanentError(`message on ${retryTopic} has no origin headers`, context);
    }
    const route = this.routes.get(origin.topic);
    if (!route) throw new PermanentError(`no handler for topic ${origin.topic}`, context);
    if (message.value === null) throw new DecodeError('message has no value (tombstone)', context);
    const value = await decodeUntyped(serializer, route.definition, message.value);
    let envelope: Envelope;
    try {
      envelope = envelopeFromHeaders(message.headers);
    } catch (cause) {
      if (!(cause instanceof EnvelopeError)) throw cause;
      throw new EventValidationError(`invalid envelope: ${cause.message}`, { ...context, cause });
    }
    let deferredUntil: number | null = null;
    const delivery: UntypedDelivery = {
      topic: origin.topic,
      definition: route.definition,
      partition: origin.partition,
      offset: origin.offset,
      key: work.key,
      value,
      envelope,
      attempt: work.attempt,
      firstDelivery: work.firstDelivery,
      headers: message.headers ?? {},
      signal: work.controller.signal,
      ...(work.previous
        ? { via: { topic: work.state.topic, partition: work.state.partition, offset: message.offset } }
        : {}),
      defer: (until) => {
        deferredUntil = until;
      },
    };
    return { handler: route.handler, delivery, deferredUntil: () => deferredUntil };
  }
}

import {
  type Envelope,
  type EventPriority,
  envelopeToHeaders,
  type EventValue,
  inNamespace,
  mintEnvelope,
  type TopicDefinition,
} from '@tributary/contracts';
import {
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type ProducerRecord,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';
import {
  errorMessage,
  EventValidationError,
  kafkaConnectionError,
  ProduceOutcomeUnknownError,
} from './errors';
import { type EventSerializer } from './serializer';
import { endSendSpans, type SendSpan, sendSpan } from './tracing';

export interface EmitOptions {
  /** The event this one answers: its id becomes the causation id and its trace continues. */
  readonly causedBy?: Pick<Envelope, 'eventId' | 'traceparent'> &
    Partial<Pick<Envelope, 'priority' | 'position'>>;
  /** Scheduling class; by default the cause's, else normal. */
  readonly priority?: EventPriority;
  /** Defaults to `value.taskId`: every event of a task lands on one partition, in order. */
  readonly key?: string;
  /** Defaults to `value.tenantId`. */
  readonly tenantId?: string;
  /** Tells apart several events of one type caused by the same event (their ids derive from the cause). */
  readonly discriminator?: string;
  /**
   * For a root event (no cause), its index among its task's root events: a submission is 0, a
   * cancel request 1, a deadline failure 2 (ROOT_EVENT_INDEX), so they never share a causal
   * position. Caused events are counted; given with `causedBy`, the event is placed among the root
   * events at this index all the same (concurrent with its cause's chain), its id and trace derived
   * from the cause.
   */
  readonly rootIndex?: number;
  /** A root event's identity within its task: the same key, the same event id (see `EnvelopeInput.rootKey`). */
  readonly rootKey?: string;
  readonly now?: Date;
  /** Headers besides the envelope's (which they cannot replace), e.g. the calls header of a step's result. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One event for `emitMany`, built with `pending()` so its value is checked against its topic. */
export interface PendingEvent {
  readonly topic: TopicDefinition;
  readonly value: unknown;
  readonly options: EmitOptions;
}

export function pending<T extends TopicDefinition>(
  topic: T,
  value: NoInfer<EventValue<T>>,
  options: EmitOptions = {},
): PendingEvent {
  return { topic, value, options };
}

/** The minimal producer the consumer needs for its retry and dead-letter topics. */
export interface RawProducer {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = (value as Record<string, unknown>)[field];
  return typeof candidate === 'string' && candidate !== '' ? candidate : undefined;
}

export interface EventProducerOptions {
  /** Written into every envelope's `producer` header. */
  readonly service: string;
  /** Use an existing kafkajs producer (it must be idempotent); one is created otherwise. */
  readonly producer?: Producer;
  /**
   * Events go to `<namespace>.<topic>` ('' or unset: the live topics), whatever topic the caller
   * names: code written against the catalogue runs unchanged in a namespace (a replay).
   */
  readonly namespace?: string;
}

/** Encoded events waiting for the produce request that carries them. */
interface Outgoing {
  readonly messages: readonly { readonly topic: string; readonly message: Message }[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Messages one produce request carries at most when emits are merged: a failed request fails every
 * emit it carries (each then retries as it would alone), so a request stays well below the broker's
 * limits and one failure touches a bounded number of emits.
 */
const MAX_MESSAGES_PER_REQUEST = 500;

/**
 * Typed, idempotent event producer: `emit(TOPICS.taskPlanned, value)` only compiles when `value`
 * matches the topic's schema, and the value is validated against the schema again at run time.
 * Each event gets a fresh envelope (event id, correlation id = task id, causation, trace) as headers.
 *
 * One produce request is in flight at a time (idempotence keeps order with one); emits made meanwhile,
 * by any caller, wait and go together in the next request, in the order they were made. An emit alone
 * goes at once, so merging adds no wait; under load it saves a request (and its round of broker work)
 * per merged emit.
 */
export class EventProducer implements RawProducer {
  private readonly producer: Producer;
  private connecting: Promise<void> | undefined;
  private readonly emitted = new WeakMap<object, Map<string, number>>();
  /** Emits waiting while a produce request is in flight; the next request carries them together. */
  private outgoing: Outgoing[] = [];
  private sending = false;

  constructor(
    kafka: Kafka,
    private readonly serializer: EventSerializer,
    private readonly options: EventProducerOptions,
  ) {
    this.producer =
      options.producer ??
      kafka.producer({
        // Idempotence gives exactly-once writes per partition across retries of one send; it needs
        // acks from all in-sync replicas and a single in-flight request to keep order.
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
  }

  async connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw kafkaConnectionError(error);
    });
    await this.connecting;
  }

  async disconnect(): Promise<void> {
    if (this.connecting === undefined) return;
    this.connecting = undefined;
    await this.producer.disconnect();
  }

  /** Encodes, validates and publishes one event; resolves with its envelope once all replicas have it. */
  async emit<T extends TopicDefinition>(
    topic: T,
    value: NoInfer<EventValue<T>>,
    options: EmitOptions = {},
  ): Promise<Envelope> {
    const [envelope] = await this.emitMany([pending(topic, value, options)]);
    return envelope as Envelope;
  }

  /** Publishes several events in one request (one batch per topic); resolves with their envelopes in order. */
  async emitMany(events: readonly PendingEvent[]): Promise<Envelope[]> {
    const prepared = await Promise.all(events.map((event) => this.prepare(event)));
    if (prepared.length === 0) return [];
    let failure: unknown;
    try {
      await this.connect();
      await new Promise<void>((resolve, reject) => {
        this.outgoing.push({ messages: prepared, resolve, reject });
        if (!this.sending) void this.sendOutgoing();
      });
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      endSendSpans(prepared, failure);
    }
    return prepared.map((p) => p.envelope);
  }

  /** Sends what waits, one request at a time, until nothing does. */
  private async sendOutgoing(): Promise<void> {
    this.sending = true;
    try {
      while (this.outgoing.length > 0) {
        const carried = this.takeOutgoing();
        const byTopic = new Map<string, TopicMessages>();
        for (const { messages } of carried) {
          for (const { topic, message } of messages) {
            const batch = byTopic.get(topic) ?? { topic, messages: [] };
            batch.messages.push(message);
            byTopic.set(topic, batch);
          }
        }
        try {
          await this.producer.sendBatch({
            topicMessages: [...byTopic.values()],
            acks: -1,
            compression: CompressionTypes.None,
          });
          for (const emit of carried) emit.resolve();
        } catch (error) {
          const unknown = new ProduceOutcomeUnknownError(
            `the produce request failed, so the broker may or may not have the events: ${errorMessage(error)}`,
            { cause: error },
          );
          for (const emit of carried) emit.reject(unknown);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The waiting emits the next request carries: all, up to MAX_MESSAGES_PER_REQUEST (at least one emit). */
  private takeOutgoing(): Outgoing[] {
    let count = 0;
    let taken = 0;
    while (taken < this.outgoing.length) {
      const size = (this.outgoing[taken] as Outgoing).messages.length;
      if (taken > 0 && count + size > MAX_MESSAGES_PER_REQUEST) break;
      count += size;
      taken += 1;
    }
    return this.outgoing.splice(0, taken);
  }

  /** Publishes records as they are (bytes and headers): retry, dead-letter and redrive copies. */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    await this.connect();
    return this.producer.send({ acks: -1, ...record });
  }

  /**
   * The emission index of an event caused by `cause`: 0, 1, 2… in the order this producer was
   * asked to emit them. Keyed by the cause object a handler was given: a redelivery (from a retry
   * topic, or after a crash) brings a new object and counts from 0 again, so a deterministic handler
   * assigns the same positions as before.
   */
  private nextIndex(
    cause: object | undefined,
    topic: string,
    discriminator: string | undefined,
    rootIndex: number | undefined,
  ): number {
    if (cause === undefined || rootIndex !== undefined) return rootIndex ?? 0;
    let counted = this.emitted.get(cause);
    if (counted === undefined) this.emitted.set(cause, (counted = new Map<string, number>()));
    // The same event emitted again for this cause (an in-process retry: for one cause, its type and
    // discriminator are what derive its id) keeps its position.
    const event = `${topic}\n${discriminator ?? ''}`;
    const index = counted.get(event) ?? counted.size;
    counted.set(event, index);
    return index;
  }

  private async prepare(event: PendingEvent): Promise<{
    topic: string;
    envelope: Envelope;
    message: Message;
    span: SendSpan | undefined;
  }> {
    const { value, options } = event;
    const topic = inNamespace(event.topic, this.options.namespace ?? '');
    const key = options.key ?? stringField(value, 'taskId');
    const tenantId = options.tenantId ?? stringField(value, 'tenantId');
    if (key === undefined || tenantId === undefined) {
      throw new EventValidationError(
        `an event for ${topic.name} needs a taskId and a tenantId (or explicit options)`,
        {
          topic: topic.name,
          paths: [key === undefined ? 'taskId' : 'tenantId'],
        },
      );
    }
    const envelope = mintEnvelope({
      index: this.nextIndex(options.causedBy, topic.name, options.discriminator, options.rootIndex),
      eventType: topic.name,
      correlationId: stringField(value, 'taskId') ?? key,
      tenantId,
      producer: this.options.service,
      schemaVersion: topic.schemaVersion,
      ...(options.causedBy ? { causedBy: options.causedBy } : {}),
      ...(options.causedBy && options.rootIndex !== undefined ? { root: true } : {}),
      ...(options.discriminator ? { discriminator: options.discriminator } : {}),
      ...(options.rootKey !== undefined && options.causedBy === undefined
        ? { rootKey: options.rootKey }
        : {}),
      ...(options.priority ? { priority: options.priority } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    // `pending()` checked the value against the topic when the event was built.
    const bytes = await this.serializer.encode(topic, value as never);
    // With tracing on, the event's traceparent names its send span (a child of the current span, or
    // of its cause's), so whoever consumes it continues the trace from there.
    const span = sendSpan(topic.name, key, envelope, options.causedBy?.traceparent);
    const traced = span === undefined ? envelope : { ...envelope, traceparent: span.traceparent };
    return {
      topic: topic.name,
      envelope: traced,
      message: {
        key,
        value: bytes,
        headers: { ...options.headers, ...envelopeToHeaders(traced), ...span?.extraHeaders },
      },
      span,
    };
  }
}

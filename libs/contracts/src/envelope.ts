import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type CausalPosition, formatPosition, parsePosition, positionAfter } from './causal-position';

/** Kafka header names of the envelope. Changing one is a breaking change for every consumer. */
export const HEADERS = {
  eventId: 'eventId',
  eventType: 'eventType',
  correlationId: 'correlationId',
  causationId: 'causationId',
  tenantId: 'tenantId',
  traceparent: 'traceparent',
  occurredAt: 'occurredAt',
  producer: 'producer',
  schemaVersion: 'schemaVersion',
  priority: 'priority',
  position: 'position',
} as const;

/**
 * Scheduling class of a task's events. Consumers run higher classes first (weighted, so lower
 * classes still progress); a missing header reads as normal.
 */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type EventPriority = (typeof PRIORITIES)[number];

function isPriority(value: string | undefined): value is EventPriority {
  return (PRIORITIES as readonly string[]).includes(value ?? '');
}

export interface Envelope {
  /** Minted by the producer; consumers deduplicate on it. */
  readonly eventId: string;
  /** The topic name the event was first published to. */
  readonly eventType: string;
  /** The task id: every event of one task shares it. */
  readonly correlationId: string;
  /** The event that caused this one, or null for a root event. */
  readonly causationId: string | null;
  readonly tenantId: string;
  /** W3C trace context. */
  readonly traceparent: string;
  /** ISO-8601 instant. */
  readonly occurredAt: string;
  /** The service that produced the event. */
  readonly producer: string;
  readonly schemaVersion: number;
  /** Inherited from the cause unless set: a high-priority task stays high at every stage. */
  readonly priority: EventPriority;
  /** Where the event sits in its task's causal order; null on events from before producers assigned it. */
  readonly position: CausalPosition | null;
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Random bytes drawn ahead and handed out a few at a time: a randomBytes call costs microseconds
 * however few bytes it returns, and every event needs a span id (randomUUID keeps such a pool too).
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

export function newTraceparent(parent?: string): string {
  const traceId = parent?.match(TRACEPARENT)?.[1] ?? randomHex(16);
  return `00-${traceId}-${randomHex(8)}-01`;
}

export interface EnvelopeInput {
  eventType: string;
  correlationId: string;
  tenantId: string;
  producer: string;
  schemaVersion: number;
  causedBy?: Pick<Envelope, 'eventId' | 'traceparent'> & Partial<Pick<Envelope, 'priority' | 'position'>>;
  priority?: EventPriority;
  /** Counts the events emitted for the same cause, in emission order (0 for the first). */
  index?: number;
  /**
   * Places an event that has a cause among its task's root events (depth 0, at `index`): an event
   * concurrent with the chain its cause started, as the gateway's deadline failure is. Its id and
   * trace still derive from the cause.
   */
  root?: boolean;
  /**
   * Tells apart several events of one type caused by the same event (e.g. progress steps).
   * Only used to derive the event id of a caused event.
   */
  discriminator?: string;
  /**
   * A root event's identity within its task (e.g. `submission`): with it, the event id derives from
   * the correlation id, the type and this key, so the same root event published twice (a retry after
   * a publish whose outcome was unknown) has one id and every consumer drops the second copy.
   * Without it a root event gets a random id.
   */
  rootKey?: string;
  now?: Date;
}

/**
 * An event caused by another gets an id derived from its cause, its type and a discriminator,
 * so a handler that runs twice (redelivery after a crash) emits the same ids again and every
 * consumer deduplicates the second copy. Root events get a random id, or one derived from their task
 * and `rootKey` when they have one.
 */
export function derivedEventId(causeId: string, eventType: string, discriminator = ''): string {
  const hex = createHash('sha256').update(`${causeId}\n${eventType}\n${discriminator}`).digest('hex');
  // Formatted as a version-8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export function mintEnvelope(input: EnvelopeInput): Envelope {
  return {
    eventId: input.causedBy
      ? derivedEventId(input.causedBy.eventId, input.eventType, input.discriminator)
      : input.rootKey !== undefined
        ? derivedEventId(`root:${input.correlationId}`, input.eventType, input.rootKey)
        : randomUUID(),
    eventType: input.eventType,
    correlationId: input.correlationId,
    causationId: input.causedBy?.eventId ?? null,
    tenantId: input.tenantId,
    traceparent: newTraceparent(input.causedBy?.traceparent),
    occurredAt: (input.now ?? new Date()).toISOString(),
    producer: input.producer,
    schemaVersion: input.schemaVersion,
    priority: input.priority ?? input.causedBy?.priority ?? 'normal',
    position: positionAfter(
      input.causedBy && input.root !== true ? (input.causedBy.position ?? { depth: 0, index: 0 }) : null,
      input.index ?? 0,
    ),
  };
}

export function envelopeToHeaders(envelope: Envelope): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADERS.eventId]: envelope.eventId,
    [HEADERS.eventType]: envelope.eventType,
    [HEADERS.correlationId]: envelope.correlationId,
    [HEADERS.tenantId]: envelope.tenantId,
    [HEADERS.traceparent]: envelope.traceparent,
    [HEADERS.occurredAt]: envelope.occurredAt,
    [HEADERS.producer]: envelope.producer,
    [HEADERS.schemaVersion]: String(envelope.schemaVersion),
    [HEADERS.priority]: envelope.priority,
  };
  if (envelope.causationId !== null) headers[HEADERS.causationId] = envelope.causationId;
  if (envelope.position !== null) headers[HEADERS.position] = formatPosition(envelope.position);
  return headers;
}

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined ? undefined : value.toString();
}

export function envelopeFromHeaders(headers: RawHeaders | undefined): Envelope {
  const required = (name: string): string => {
    const value = headerString(headers, name);
    if (value === undefined || value === '') throw new EnvelopeError(`missing header "${name}"`);
    return value;
  };
  const schemaVersion = Number(required(HEADERS.schemaVersion));
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new EnvelopeError(`header "${HEADERS.schemaVersion}" must be a positive integer`);
  }
  const occurredAt = required(HEADERS.occurredAt);
  if (Number.isNaN(Date.parse(occurredAt)))
    throw new EnvelopeError(`header "${HEADERS.occurredAt}" is not a date`);
  const traceparent = required(HEADERS.traceparent);
  if (!TRACEPARENT.test(traceparent))
    throw new EnvelopeError(`header "${HEADERS.traceparent}" is not W3C trace context`);
  return {
    eventId: required(HEADERS.eventId),
    eventType: required(HEADERS.eventType),
    correlationId: required(HEADERS.correlationId),
    causationId: headerString(headers, HEADERS.causationId) ?? null,
    tenantId: required(HEADERS.tenantId),
    traceparent,
    occurredAt,
    producer: required(HEADERS.producer),
    schemaVersion,
    priority: priorityFromHeaders(headers),
    position: parsePosition(headerString(headers, HEADERS.position)) ?? null,
  };
}

/** The priority header, or normal when it is absent or unknown (events from before it existed). */
export function priorityFromHeaders(headers: RawHeaders | undefined): EventPriority {
  const value = headerString(headers, HEADERS.priority);
  return isPriority(value) ? value : 'normal';
}

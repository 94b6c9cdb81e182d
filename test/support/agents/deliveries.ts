import {
  type EventValue,
  FAILURE_HEADERS,
  mintEnvelope,
  readSample,
  type TopicDefinition,
} from '@tributary/contracts';
import { type Delivery } from '@tributary/kafka';

export interface DeliveryOptions {
  /** 1 on the first delivery; the retry topic raises it. */
  readonly attempt?: number;
  /** Whether no consumer can have been handed the event before; by default, a first attempt not redriven. */
  readonly firstDelivery?: boolean;
  /** Aborted when the consumer loses the partition or shuts down. */
  readonly signal?: AbortSignal;
  /** Kafka headers besides the envelope's (failure headers, `redrivenFrom`). */
  readonly headers?: Record<string, string>;
  /** Receives `delivery.defer(until)`; a delivery without it refuses to be deferred. */
  readonly onDefer?: (until: number) => void;
}

/** An event as the Kafka runtime hands it to a handler: envelope minted, first attempt, live signal. */
export function delivery<T extends TopicDefinition>(
  topic: T,
  value: EventValue<T>,
  {
    attempt = 1,
    headers = {},
    // As the runtime decides it: a first attempt, and no redriven dead letter.
    firstDelivery = attempt === 1 && headers[FAILURE_HEADERS.redrivenFrom] === undefined,
    signal = new AbortController().signal,
    onDefer = () => {
      throw new Error('this test delivery cannot be deferred (pass onDefer)');
    },
  }: DeliveryOptions = {},
): Delivery<T> {
  const { taskId, tenantId } = value as { taskId: string; tenantId: string };
  return {
    topic: topic.name,
    partition: 0,
    offset: '0',
    key: taskId,
    envelope: mintEnvelope({
      eventType: topic.name,
      correlationId: taskId,
      tenantId,
      producer: 'test',
      schemaVersion: topic.schemaVersion,
    }),
    attempt,
    firstDelivery,
    headers,
    signal,
    definition: topic,
    value,
    defer: onDefer,
  };
}

/**
 * The stored sample value of a topic (libs/contracts/samples), with fields replaced. A sample is a
 * message from the past whose deadline has long passed, so as a current event it carries none
 * (a test of deadlines sets its own).
 */
export function sampleValue<T extends TopicDefinition>(
  topic: T,
  overrides: Partial<EventValue<T>> = {},
): EventValue<T> {
  const sample = readSample(topic) as EventValue<T> & { request?: object };
  const current = sample.request ? { ...sample, request: { ...sample.request, deadlineAt: null } } : sample;
  return { ...current, ...overrides };
}

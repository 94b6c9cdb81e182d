import {
  ALL_TOPICS,
  CALLS_HEADER,
  CONSUMER_GROUPS,
  deadLetterTopic,
  FAILURE_HEADERS,
  headerString,
  HEADERS,
  inNamespace,
  parseCallsHeader,
  retryTopic,
  type TopicDefinition,
} from '@tributary/contracts';
import { decodeRecord, type EventSerializer, readFailure, readRawRanges } from '@tributary/kafka';
import { type Progress } from '@tributary/terminal';
import { type Kafka, type KafkaMessage } from 'kafkajs';
import { shortTopicName } from '../topics';
import { type EventRecord, type FailureRecord } from './task-story';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * When a task id ending in a ULID (the gateway mints `tsk_<ULID>`) was created, from its first ten
 * characters; undefined for any other id, or a time that cannot be one.
 */
export function creationTime(taskId: string, now = Date.now()): Date | undefined {
  const ulid = /([0-9A-HJKMNP-TV-Z]{26})$/.exec(taskId)?.[1];
  if (ulid === undefined) return undefined;
  let ms = 0;
  for (const char of ulid.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(char);
  // Before 2020 or more than a day ahead: not a creation time.
  if (ms < Date.UTC(2020, 0, 1) || ms > now + 86_400_000) return undefined;
  return new Date(ms);
}

export interface ReadTaskOptions {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly taskId: string;
  /** Catalogue topics of this namespace ('' for the live ones). */
  readonly namespace: string;
  /** Consumer groups whose retry and dead-letter topics are read. */
  readonly groups: readonly string[];
  /** Records written before this instant are not read. */
  readonly since: Date | undefined;
  readonly progress: Progress;
  readonly signal: AbortSignal;
}

export interface TaskRecords {
  readonly events: EventRecord[];
  readonly failures: FailureRecord[];
  /** Topic names read. */
  readonly topics: readonly string[];
}

/** The shipped consumer groups: their retry and dead-letter topics are where a task's failures are. */
export const SHIPPED_GROUPS: readonly string[] = Object.values(CONSUMER_GROUPS);

/**
 * Every record of one task (the record key is its id) on the event topics and on the retry and
 * dead-letter topics of the given groups, in one read: records of other tasks are skipped undecoded.
 */
export async function readTaskRecords(options: ReadTaskOptions): Promise<TaskRecords> {
  const { kafka, taskId } = options;
  /** The namespaced topics read, with the catalogue's short name of each (the event kind). */
  const eventTopics = new Map<string, { topic: TopicDefinition; kind: string }>(
    (ALL_TOPICS as readonly TopicDefinition[]).map((topic) => {
      const named = inNamespace(topic, options.namespace);
      return [named.name, { topic: named, kind: shortTopicName(topic) }];
    }),
  );
  const failureTopics = new Map<string, { group: string; kind: FailureRecord['kind'] }>();
  for (const group of options.groups) {
    failureTopics.set(retryTopic(group), { group, kind: 'retry' });
    failureTopics.set(deadLetterTopic(group), { group, kind: 'dead-letter' });
  }
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const topics = [...eventTopics.keys(), ...failureTopics.keys()].filter((name) => existing.has(name));
  const events: EventRecord[] = [];
  const failures: FailureRecord[] = [];
  if (topics.length === 0) return { events, failures, topics };

  for await (const batch of readRawRanges({
    kafka,
    topics,
    keys: new Set([taskId]),
    ...(options.since ? { fromTime: options.since } : {}),
    onPlan: (plan) =>
      options.progress.start(
        'reading',
        plan.reduce((n, range) => n + range.end - range.start, 0),
      ),
    onScanned: (count) => options.progress.advance(count),
  })) {
    if (options.signal.aborted) break;
    const eventTopic = eventTopics.get(batch.topic);
    for (const message of batch.messages) {
      if (eventTopic !== undefined) {
        events.push(await eventRecord(options.serializer, eventTopic, batch.partition, message));
        continue;
      }
      const failureTopic = failureTopics.get(batch.topic);
      if (failureTopic !== undefined)
        failures.push(failureRecord(failureTopic, batch.topic, batch.partition, message));
    }
  }
  options.progress.stop();
  return { events, failures, topics };
}

async function eventRecord(
  serializer: EventSerializer,
  { topic, kind }: { topic: TopicDefinition; kind: string },
  partition: number,
  message: KafkaMessage,
): Promise<EventRecord> {
  const record = await decodeRecord(serializer, topic, partition, message);
  if (!record.ok && record.error.retriable) throw record.error;
  const envelope = record.envelope;
  const occurredAt = envelope ? Date.parse(envelope.occurredAt) : Number(message.timestamp);
  return {
    topic: topic.name,
    kind,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    // A record without a readable envelope still appears, under its coordinates.
    eventId: envelope?.eventId ?? `${topic.name}/${partition}/${message.offset}`,
    causationId: envelope?.causationId ?? null,
    tenantId: envelope?.tenantId ?? '',
    producer: envelope?.producer ?? '(unknown)',
    occurredAt,
    position: envelope?.position ?? null,
    traceparent: envelope?.traceparent ?? '',
    value: record.ok ? record.value : null,
    decodeError: record.ok ? null : record.error.message,
    calls: parseCallsHeader(headerString(message.headers, CALLS_HEADER)),
    redrivenFrom: headerString(message.headers, FAILURE_HEADERS.redrivenFrom) ?? null,
  };
}

export function failureRecord(
  where: { group: string; kind: FailureRecord['kind'] },
  topic: string,
  partition: number,
  message: KafkaMessage,
): FailureRecord {
  const failure = readFailure(message.headers);
  const at = Date.parse(failure?.lastFailureAt ?? '');
  const due = Date.parse(failure?.retryDueAt ?? '');
  // A redrive copies a dead letter into its group's retry topic, marked with where it came from.
  const redrivenFrom = headerString(message.headers, FAILURE_HEADERS.redrivenFrom) ?? null;
  return {
    kind:
      where.kind === 'retry' && redrivenFrom !== null
        ? 'redrive'
        : // The runtime marks a timer's first trip through the retry topic with the class `Deferred`.
          where.kind === 'retry' && failure?.errorClass === 'Deferred'
          ? 'deferred'
          : where.kind,
    group: where.group,
    topic,
    partition,
    offset: message.offset,
    eventId: headerString(message.headers, HEADERS.eventId) ?? null,
    originTopic: failure?.originTopic ?? '(unknown)',
    attempts: failure?.attempts ?? 0,
    errorClass: failure?.errorClass ?? '(unknown)',
    errorMessage: failure?.errorMessage ?? '',
    at: Number.isNaN(at) ? Number(message.timestamp) : at,
    dueAt: Number.isNaN(due) ? null : due,
    redrivenFrom,
  };
}

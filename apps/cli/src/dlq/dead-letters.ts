import { deadLetterTopic, type Envelope, envelopeFromHeaders, resolveTopicName } from '@tributary/contracts';
import {
  decodeRecord,
  type EventSerializer,
  type FailureRecord,
  isRedriven,
  readFailure,
  readRawRanges,
  redrivePositions,
  type RedrivePosition,
} from '@tributary/kafka';
import { type Kafka, type KafkaMessage } from 'kafkajs';

/** One dead letter of a consumer group, as its headers tell it. */
export interface DeadLetter {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** When it was written to the dead-letter topic (the broker's timestamp, ISO-8601). */
  readonly deadLetteredAt: string;
  /** Undefined when the letter lacks the origin headers (not written by the runtime). */
  readonly failure: FailureRecord | undefined;
  /** Undefined when the original headers are not a valid envelope (one reason to dead-letter). */
  readonly envelope: Envelope | undefined;
  /** Moved back to its group (into the group's retry topic) by a redrive. */
  readonly redriven: boolean;
  readonly message: KafkaMessage;
}

/** Whether the dead-letter topic of a group exists: a group that never failed has none. */
export async function deadLetterTopicExists(kafka: Kafka, group: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(deadLetterTopic(group));
  } finally {
    await admin.disconnect();
  }
}

export interface ReadDeadLettersOptions {
  readonly kafka: Kafka;
  readonly group: string;
  readonly signal?: AbortSignal;
  readonly onPlan?: (total: number) => void;
  readonly onScanned?: (count: number) => void;
}

/** Every dead letter of a group, oldest first per partition, with whether a redrive moved it back. */
export async function* readDeadLetters(options: ReadDeadLettersOptions): AsyncGenerator<DeadLetter> {
  const { kafka, group } = options;
  if (!(await deadLetterTopicExists(kafka, group))) return;
  const topic = deadLetterTopic(group);
  const admin = kafka.admin();
  await admin.connect();
  let positions: Map<number, RedrivePosition>;
  try {
    positions = new Map((await redrivePositions(admin, group)).map((p) => [p.partition, p]));
  } finally {
    await admin.disconnect();
  }
  for await (const batch of readRawRanges({
    kafka,
    topics: [topic],
    onPlan: (plan) => options.onPlan?.(plan.reduce((n, range) => n + range.end - range.start, 0)),
    ...(options.onScanned ? { onScanned: options.onScanned } : {}),
  })) {
    if (options.signal?.aborted) return;
    const position = positions.get(batch.partition);
    for (const message of batch.messages) {
      yield {
        group,
        topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        deadLetteredAt: new Date(Number(message.timestamp)).toISOString(),
        failure: readFailure(message.headers),
        envelope: envelopeOrUndefined(message),
        redriven: position !== undefined && isRedriven(position, Number(message.offset)),
        message,
      };
    }
  }
}

function envelopeOrUndefined(message: KafkaMessage): Envelope | undefined {
  try {
    return envelopeFromHeaders(message.headers);
  } catch {
    return undefined;
  }
}

/** A dead letter's value decoded with its origin topic's schema, or why it cannot be. */
export async function decodeDeadLetter(
  serializer: EventSerializer,
  letter: DeadLetter,
): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string }> {
  const origin = letter.failure?.originTopic;
  const resolved = origin === undefined ? undefined : resolveTopicName(origin);
  if (resolved === undefined)
    return { ok: false, reason: `origin topic ${origin ?? '(missing)'} is not in the catalogue` };
  const record = await decodeRecord(serializer, resolved.topic, letter.partition, letter.message);
  return record.ok ? { ok: true, value: record.value } : { ok: false, reason: record.error.message };
}

import { FAILURE_HEADERS, MAY_REPEAT_HEADER } from '@tributary/contracts';
import { type KafkaMessage } from 'kafkajs';
import { type FailureRecord, readFailure } from '../failure';
import { type OffsetTracker } from '../offset-tracker';

/** One assigned partition as the consumer tracks it. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly tracker: OffsetTracker;
  revoked: boolean;
  highWatermark: number;
  /**
   * The partition's end when this member first fetched it after being assigned it: no member of
   * the group can have been handed an offset from here on before this one (see `firstDelivery`).
   */
  readonly unseenFrom: number;
  readonly running: Set<Work>;
}

/** Where an event was first published: the message itself, or for a retry copy, its origin headers. */
export interface Origin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One fetched message on its way through the consumer. */
export interface Work {
  readonly state: PartitionState;
  readonly message: KafkaMessage;
  readonly offset: number;
  readonly key: string;
  readonly origin: Origin;
  /** Set for messages read from the retry topic. */
  readonly previous?: FailureRecord;
  readonly attempt: number;
  /**
   * No consumer of the group can have been handed this message before (it is no retry copy either),
   * and its producer did not mark it as a possible copy of an event already published.
   */
  readonly firstDelivery: boolean;
  readonly controller: AbortController;
}

/**
 * The work for a fetched message. A copy on the retry topic carries its origin and attempts in
 * failure headers; one without them (not written by this runtime) keeps the retry topic as its
 * origin, and delivery dead-letters it.
 */
export function workFor(
  state: PartitionState,
  message: KafkaMessage,
  offset: number,
  fromRetryTopic: boolean,
): Work {
  const fallbackKey = `${state.topic}/${state.partition}/${offset}`;
  const key = message.key === null ? fallbackKey : message.key.toString();
  const controller = new AbortController();
  const previous = fromRetryTopic ? readFailure(message.headers) : undefined;
  if (previous === undefined) {
    const origin = { topic: state.topic, partition: state.partition, offset: message.offset };
    // A redriven dead letter is new to Kafka, but the attempts that dead-lettered it may have done work.
    const redriven = message.headers?.[FAILURE_HEADERS.redrivenFrom] !== undefined;
    // An event its producer published from a delivery that may have run before may be a copy.
    const mayRepeat = message.headers?.[MAY_REPEAT_HEADER] !== undefined;
    const firstDelivery = !fromRetryTopic && !redriven && !mayRepeat && offset >= state.unseenFrom;
    return { state, message, offset, key, origin, attempt: 1, firstDelivery, controller };
  }
  const origin = {
    topic: previous.originTopic,
    partition: previous.originPartition,
    offset: previous.originOffset,
  };
  const attempt = previous.attempts + 1;
  return { state, message, offset, key, origin, previous, attempt, firstDelivery: false, controller };
}

/** When a retry copy may run (epoch ms); 0 for work that is due at once. */
export function dueAt(work: Work): number {
  const retryDueAt = work.previous?.retryDueAt;
  return retryDueAt === undefined ? 0 : Date.parse(retryDueAt);
}

/** The partition was lost or shutdown gave up on the work: its offset stays for the next owner. */
export function isAbandoned(work: Work): boolean {
  return work.state.revoked || work.controller.signal.aborted;
}

import { type AnyTopic, type Envelope, type EventValue, type TopicDefinition } from '@tributary/contracts';
import { type IHeaders } from 'kafkajs';

interface DeliveryBase {
  /** The topic the event was published to (its origin, also when it comes back through the retry topic). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The message key (the task id for every catalogue event). */
  readonly key: string;
  readonly envelope: Envelope;
  /** 1 on the first delivery, 2 on the first retry, and so on. */
  readonly attempt: number;
  /**
   * True when no consumer of this group can have been handed this message before: it is no retry
   * copy nor a redriven dead letter, and its offset was past the partition's end when this consumer was assigned the partition.
   * A handler may then skip looking for work an earlier attempt recorded (false only means "maybe").
   */
  readonly firstDelivery: boolean;
  readonly headers: IHeaders;
  /**
   * Aborted when this consumer lost the partition (another consumer will redo the work) or when
   * shutdown stopped waiting for it; pass it to slow calls (LLM requests) to stop early.
   */
  readonly signal: AbortSignal;
  /** Set when the delivery came from the group's retry topic: where it was read from. */
  readonly via?: { readonly topic: string; readonly partition: number; readonly offset: string };
  /**
   * Asks for this event again, not before `until` (epoch ms): once the handler returns (not throws),
   * the runtime copies the event to the group's retry topic with that due time instead of being done
   * with it. The copy waits without holding a slot, survives restarts, and comes back with the same
   * attempt number (a deferral is no failure). For timers: the deadline consumer checks a task when
   * its deadline has passed. The last call before the handler returns wins.
   */
  readonly defer: (until: number) => void;
}

/** One event handed to a handler, its value typed by its topic's schema. */
export interface Delivery<T extends TopicDefinition = AnyTopic> extends DeliveryBase {
  readonly definition: T;
  readonly value: EventValue<T>;
}

/** A delivery whose topic is not known statically (generic plumbing: the transport, tools). */
export interface UntypedDelivery extends DeliveryBase {
  readonly definition: TopicDefinition;
  readonly value: unknown;
}

export type DeliveryHandler<T extends TopicDefinition = AnyTopic> = (delivery: Delivery<T>) => Promise<void>;

export type UntypedDeliveryHandler = (delivery: UntypedDelivery) => Promise<void>;

/**
 * A message the runtime dead-lettered without any handler having seen it: its value or envelope
 * could not be read, no handler was registered for its topic, or the registry stayed unreachable
 * through every attempt. Its handler had no chance to react (say, to end the task the event
 * belongs to), so the consumer's owner is told (`onUndeliverable`), after the dead letter is written.
 */
export interface UndeliverableMessage {
  /** Where it was first published (also when its last attempt came through the retry topic). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The message key (the task id for every catalogue event), null when it has none. */
  readonly key: string | null;
  /** Its own headers (the envelope, whatever could be read of it), without failure headers. */
  readonly headers: IHeaders;
  readonly attempts: number;
  /** Why it could not be delivered; its class and message are in the dead letter's headers too. */
  readonly error: unknown;
}

/** Reacts to an undeliverable message; a retriable error makes the runtime call it again (a few times). */
export type UndeliverableHandler = (message: UndeliverableMessage) => Promise<void>;

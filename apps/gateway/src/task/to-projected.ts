import { type Envelope, type EventValue, type TopicKey, type Topics } from '@tributary/contracts';
import { type ProjectedEvent } from './task-state';
import { tenantId } from './tenant';

/**
 * The projection's view of one decoded event. The tenant comes from the value (validated against
 * the schema); the id and time from the envelope the producer minted.
 */
export function toProjected<K extends TopicKey>(
  kind: K,
  envelope: Pick<Envelope, 'eventId' | 'occurredAt'>,
  value: EventValue<Topics[K]>,
): ProjectedEvent;
export function toProjected(
  kind: TopicKey,
  envelope: Pick<Envelope, 'eventId' | 'occurredAt'>,
  value: unknown,
): ProjectedEvent {
  return {
    kind,
    eventId: envelope.eventId,
    tenantId: tenantId((value as { tenantId: string }).tenantId),
    occurredAt: new Date(envelope.occurredAt),
    value,
  } as ProjectedEvent;
}

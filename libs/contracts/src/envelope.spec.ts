import { describe, expect, it } from 'vitest';
import { derivedEventId, mintEnvelope } from './envelope';

const root = {
  eventType: 'tributary.internal.task.requested.v1',
  tenantId: 't',
  producer: 'gateway',
  schemaVersion: 1,
};
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  it('derives a root event id from its task, type and root key, so publishing it again gives the same id', () => {
    const first = mintEnvelope({ ...root, correlationId: 'tsk_1', rootKey: 'submission' });
    const again = mintEnvelope({ ...root, correlationId: 'tsk_1', rootKey: 'submission' });
    expect(again.eventId).toBe(first.eventId);
    expect(first.eventId).toBe(derivedEventId('tsk_1', root.eventType, 'submission'));
    expect(first.eventId).toMatch(UUID_V8);
    expect(first.causationId).toBeNull();
    expect(mintEnvelope({ ...root, correlationId: 'tsk_2', rootKey: 'submission' }).eventId).not.toBe(
      first.eventId,
    );
    expect(mintEnvelope({ ...root, correlationId: 'tsk_1', rootKey: 'other' }).eventId).not.toBe(
      first.eventId,
    );
    expect(
      mintEnvelope({
        ...root,
        eventType: 'tributary.internal.task.cancel-requested.v1',
        correlationId: 'tsk_1',
        rootKey: 'submission',
      }).eventId,
    ).not.toBe(first.eventId);
  });

  it('gives a root event without a root key a random id, and a caused event an id derived from its cause', () => {
    const a = mintEnvelope({ ...root, correlationId: 'tsk_1' });
    const b = mintEnvelope({ ...root, correlationId: 'tsk_1' });
    expect(a.eventId).not.toBe(b.eventId);
    const caused = mintEnvelope({
      ...root,
      eventType: 'tributary.internal.task.planned.v1',
      correlationId: 'tsk_1',
      causedBy: { eventId: a.eventId, traceparent: a.traceparent },
      rootKey: 'ignored for caused events',
    });
    expect(caused.eventId).toBe(derivedEventId(a.eventId, 'tributary.internal.task.planned.v1'));
  });
});

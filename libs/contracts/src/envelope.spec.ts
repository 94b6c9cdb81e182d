import { describe, expect, it } from 'vitest';
import { mintEnvelope } from './envelope';

const root = {
  eventType: 'tributary.internal.task.requested.v1',
  correlationId: 'tsk_1',
  tenantId: 'acme',
  producer: 'gateway',
  schemaVersion: 1,
};

describe('root event ids', () => {
  it('derive from the task, the type and the root key, so a root event published twice has one id', () => {
    const first = mintEnvelope({ ...root, rootKey: 'submission', now: new Date(1_000) });
    const again = mintEnvelope({ ...root, rootKey: 'submission', now: new Date(9_000) });

    expect(again.eventId).toBe(first.eventId);
    expect(first.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differ between tasks, types and root keys', () => {
    const ids = new Set([
      mintEnvelope({ ...root, rootKey: 'submission' }).eventId,
      mintEnvelope({ ...root, correlationId: 'tsk_2', rootKey: 'submission' }).eventId,
      mintEnvelope({
        ...root,
        eventType: 'tributary.internal.task.cancel-requested.v1',
        rootKey: 'submission',
      }).eventId,
      mintEnvelope({ ...root, rootKey: 'cancel' }).eventId,
    ]);
    expect(ids.size).toBe(4);
  });

  it('are random without a root key', () => {
    expect(mintEnvelope(root).eventId).not.toBe(mintEnvelope(root).eventId);
  });
});

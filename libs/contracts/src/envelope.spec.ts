import { describe, expect, it } from 'vitest';
import { mintEnvelope, newTraceparent } from './envelope';

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

describe('traceparent', () => {
  const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

  it('starts a trace for a root event and keeps the cause’s trace id, with a span id of its own', () => {
    const parent = newTraceparent();
    expect(parent).toMatch(FORMAT);
    const child = newTraceparent(parent);
    expect(child).toMatch(FORMAT);
    expect(child.slice(3, 35)).toBe(parent.slice(3, 35));
    expect(child.slice(36, 52)).not.toBe(parent.slice(36, 52));
    expect(newTraceparent('not a traceparent').slice(3, 35)).not.toBe(parent.slice(3, 35));
  });

  it('never hands out the same random bytes twice, across many traces', () => {
    // Thousands of ids: more random bytes than one draw of the pool holds.
    const traces = Array.from({ length: 3000 }, () => newTraceparent());
    expect(traces.every((trace) => FORMAT.test(trace))).toBe(true);
    expect(new Set(traces.map((trace) => trace.slice(3, 35))).size).toBe(traces.length);
    expect(new Set(traces.map((trace) => trace.slice(36, 52))).size).toBe(traces.length);
  });
});

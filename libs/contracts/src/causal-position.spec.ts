import { describe, expect, it } from 'vitest';
import { comparePositions, formatPosition, parsePosition, positionAfter } from './causal-position';
import { envelopeFromHeaders, envelopeToHeaders, mintEnvelope } from './envelope';

const base = {
  eventType: 'tributary.internal.task.planned.v1',
  correlationId: 't-1',
  tenantId: 'acme',
  producer: 'test',
  schemaVersion: 1,
};

describe('causal position', () => {
  it('puts every event of a stage after its cause and in emission order', () => {
    const submitted = mintEnvelope(base);
    const progress = mintEnvelope({ ...base, causedBy: submitted, index: 0, discriminator: 'plan#1' });
    const planned = mintEnvelope({ ...base, causedBy: submitted, index: 1 });
    const drafted = mintEnvelope({ ...base, causedBy: planned, index: 0 });
    expect(
      [submitted, progress, planned, drafted].map((e) => e.position && formatPosition(e.position)),
    ).toEqual(['0.0', '1.0', '1.1', '2.0']);
    const shuffled = [drafted, planned, submitted, progress].map((e) => e.position!);
    expect(shuffled.sort(comparePositions).map(formatPosition)).toEqual(['0.0', '1.0', '1.1', '2.0']);
  });

  it('counts a cause from before positions existed as a root', () => {
    const legacyCause = { eventId: 'e-1', traceparent: mintEnvelope(base).traceparent };
    expect(mintEnvelope({ ...base, causedBy: legacyCause, index: 3 }).position).toEqual({
      depth: 1,
      index: 3,
    });
    expect(positionAfter({ depth: 4, index: 9 }, 0)).toEqual({ depth: 5, index: 0 });
  });

  it('travels in the headers, and reads as null where the header is missing or malformed', () => {
    const envelope = mintEnvelope({
      ...base,
      causedBy: { ...mintEnvelope(base), position: { depth: 6, index: 2 } },
      index: 4,
    });
    const headers = envelopeToHeaders(envelope);
    expect(headers.position).toBe('7.4');
    expect(envelopeFromHeaders(headers).position).toEqual({ depth: 7, index: 4 });
    expect(envelopeFromHeaders({ ...headers, position: 'seven' }).position).toBeNull();
    delete headers.position;
    expect(envelopeFromHeaders(headers).position).toBeNull();
  });

  it('parses only depth.index', () => {
    expect(parsePosition('12.0')).toEqual({ depth: 12, index: 0 });
    for (const bad of [undefined, '', '1', '1.', '-1.0', '1.2.3', 'a.b'])
      expect(parsePosition(bad)).toBeUndefined();
  });
});

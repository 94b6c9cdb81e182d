import { describe, expect, it } from 'vitest';
import { formatCallsHeader, parseCallsHeader, type StepCall } from './call-headers';

describe('the calls header', () => {
  it('reads back what it wrote', () => {
    const calls: StepCall[] = [
      { key: 'a'.repeat(64), method: 'tool:retrieve', via: 'journal' },
      { key: 'b'.repeat(64), method: 'draft', via: 'called', ms: 812 },
    ];
    expect(parseCallsHeader(formatCallsHeader(calls))).toEqual(calls);
  });

  it('reads an absent or unreadable header as no calls, and skips entries it does not understand', () => {
    expect(parseCallsHeader(undefined)).toEqual([]);
    expect(parseCallsHeader('{not json')).toEqual([]);
    expect(parseCallsHeader('{"key":"x"}')).toEqual([]);
    expect(
      parseCallsHeader(
        '[{"key":"x","method":"plan","via":"teleported"},{"key":"y","method":"plan","via":"shared"}]',
      ),
    ).toEqual([{ key: 'y', method: 'plan', via: 'shared' }]);
  });
});

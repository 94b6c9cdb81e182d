import { describe, expect, it } from 'vitest';
import { AcceptedHere } from './accepted-here';

describe('AcceptedHere', () => {
  const acceptedAt = new Date('2026-12-03T10:00:00Z');
  const facts = (tenantId: string) => ({ tenantId, acceptedAt, callbackUrl: null, ticket: false });

  it('answers a task only for the tenant that submitted it', () => {
    const accepted = new AcceptedHere();
    accepted.remember('tsk_1', {
      tenantId: 'acme',
      acceptedAt,
      callbackUrl: 'https://acme.example/hook',
      ticket: true,
    });
    expect(accepted.of('acme', 'tsk_1')).toEqual({
      tenantId: 'acme',
      acceptedAt,
      callbackUrl: 'https://acme.example/hook',
      ticket: true,
    });
    expect(accepted.of('globex', 'tsk_1')).toBeUndefined();
    expect(accepted.of('acme', 'tsk_2')).toBeUndefined();
  });

  it('forgets a withdrawn task', () => {
    const accepted = new AcceptedHere();
    accepted.remember('tsk_1', facts('acme'));
    accepted.forget('tsk_1');
    expect(accepted.of('acme', 'tsk_1')).toBeUndefined();
  });

  it('forgets the oldest task past its capacity', () => {
    const accepted = new AcceptedHere(2);
    accepted.remember('tsk_1', facts('acme'));
    accepted.remember('tsk_2', facts('acme'));
    accepted.remember('tsk_3', facts('acme'));
    expect(['tsk_1', 'tsk_2', 'tsk_3'].map((id) => accepted.of('acme', id) !== undefined)).toEqual([
      false,
      true,
      true,
    ]);
  });
});

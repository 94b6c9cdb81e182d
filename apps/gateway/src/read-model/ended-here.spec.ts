import { describe, expect, it } from 'vitest';
import { EndedHere } from './ended-here';

describe('EndedHere', () => {
  it('knows an ended task for its own tenant only', () => {
    const ended = new EndedHere();
    ended.remember('acme', 'tsk_1');
    expect(ended.has('acme', 'tsk_1')).toBe(true);
    expect(ended.has('other', 'tsk_1')).toBe(false);
    expect(ended.has('acme', 'tsk_2')).toBe(false);
  });

  it('forgets the oldest ends past its capacity', () => {
    const ended = new EndedHere(2);
    ended.remember('acme', 'tsk_1');
    ended.remember('acme', 'tsk_2');
    ended.remember('acme', 'tsk_3');
    expect([1, 2, 3].map((n) => ended.has('acme', `tsk_${n}`))).toEqual([false, true, true]);
  });
});

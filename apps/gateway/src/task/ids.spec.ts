import { describe, expect, it } from 'vitest';
import { isTaskId, UlidFactory } from './ids';

describe('task ids', () => {
  it('are well-formed and sort in minting order, also within one millisecond', () => {
    const factory = new UlidFactory(() => 1_700_000_000_000);
    const ids = Array.from({ length: 1_000 }, () => `tsk_${factory.next()}`);
    expect(ids.every(isTaskId)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by creation time across milliseconds', () => {
    let now = 1_700_000_000_000;
    const factory = new UlidFactory(() => now);
    const first = factory.next();
    now += 1;
    const second = factory.next();
    expect(first < second).toBe(true);
    expect(isTaskId('tsk_01JD0Q7ZK3')).toBe(false);
    expect(isTaskId('tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VU')).toBe(false);
  });
});

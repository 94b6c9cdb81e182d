import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursors', () => {
  it('round-trips the position and stays URL-safe', () => {
    for (const before of [1, 42, 999_999_999_999]) {
      const cursor = encodeCursor({ before });
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toEqual({ before });
    }
  });

  it('refuses anything this gateway did not write', () => {
    expect(decodeCursor('not a cursor!')).toBeUndefined();
    expect(decodeCursor('p0')).toBeUndefined();
    expect(decodeCursor('p-3')).toBeUndefined();
    expect(decodeCursor('p1234567890123')).toBeUndefined();
    expect(decodeCursor('tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { mintTaskId } from '../task/ids';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursors', () => {
  it('round-trips the sort key and is opaque base64url', () => {
    const id = mintTaskId();
    const cursor = encodeCursor({ lastTaskId: id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ lastTaskId: id });
  });

  it('refuses anything this gateway did not write', () => {
    expect(decodeCursor('not a cursor!')).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"v":1,"id":"tsk_nope"}').toString('base64url'))).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('{"v":2,"id":"tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW"}').toString('base64url')),
    ).toBeUndefined();
    expect(decodeCursor(Buffer.from('[1,2').toString('base64url'))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { RecentCache } from './recent-cache';

describe('RecentCache', () => {
  it('forgets the least recently used entry beyond its capacity (a read counts as a use)', () => {
    const cache = new RecentCache<number>({ capacity: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);

    cache.set('c', 3);

    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('forgets an entry once it is as old as its time to live, counted from when it was set', () => {
    let now = 0;
    const cache = new RecentCache<string>({ capacity: 10, ttlMs: 100, now: () => now });
    cache.set('a', 'x');
    now = 99;
    expect(cache.get('a')).toBe('x');

    now = 100;

    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('tells a null value from a missing one, and setting again replaces the value', () => {
    const cache = new RecentCache<string | null>({ capacity: 10 });
    cache.set('a', null);
    expect(cache.has('a')).toBe(true);
    expect(cache.get('a')).toBeNull();
    expect(cache.has('missing')).toBe(false);
    cache.set('b', '');
    cache.set('b', 'again');
    expect(cache.get('b')).toBe('again');
    expect(cache.get('missing')).toBeUndefined();
  });
});

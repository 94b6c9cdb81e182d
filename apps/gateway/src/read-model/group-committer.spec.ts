import { describe, expect, it, vi } from 'vitest';
import { GroupCommitter } from './group-committer';

describe('group commit', () => {
  it('writes what queued up during a write in the next write, and settles each caller with its own result', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const committer = new GroupCommitter<number, string>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return (index) => `done ${items[index]}`;
    }, 3);
    const first = committer.submit(1);
    const rest = [2, 3, 4, 5].map((n) => committer.submit(n));
    release();
    expect(await Promise.all([first, ...rest])).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('rejects every caller of a failed write and carries on with the next', async () => {
    let calls = 0;
    const committer = new GroupCommitter<number, number>((items) => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('mongo down'));
      return Promise.resolve((index: number) => items[index]!);
    }, 10);
    const failed = committer.submit(1);
    const next = committer.submit(2);
    await expect(failed).rejects.toThrow('mongo down');
    await expect(next).resolves.toBe(2);
  });

  it('with a linger, lets what arrives within it share the write that starts from idle, and no longer waits once writes follow each other', async () => {
    vi.useFakeTimers();
    try {
      const batches: number[][] = [];
      let release: () => void = () => undefined;
      const committer = new GroupCommitter<number, number>(
        async (items) => {
          batches.push([...items]);
          if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
          return (index) => items[index]!;
        },
        4,
        50,
      );
      const first = [1, 2].map((n) => committer.submit(n));
      await vi.advanceTimersByTimeAsync(49);
      expect(batches).toEqual([]);
      const third = committer.submit(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches).toEqual([[1, 2, 3]]);
      // Queued behind a write in flight: written as soon as it ends, without lingering.
      const fourth = committer.submit(4);
      release();
      expect(await Promise.all([...first, third, fourth])).toEqual([1, 2, 3, 4]);
      expect(batches).toEqual([[1, 2, 3], [4]]);
      // A full batch does not wait for the linger either.
      const full = [5, 6, 7, 8].map((n) => committer.submit(n));
      expect(await Promise.all(full)).toEqual([5, 6, 7, 8]);
      expect(batches.at(-1)).toEqual([5, 6, 7, 8]);
    } finally {
      vi.useRealTimers();
    }
  });
});

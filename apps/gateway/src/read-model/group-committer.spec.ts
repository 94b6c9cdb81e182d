import { describe, expect, it } from 'vitest';
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
});

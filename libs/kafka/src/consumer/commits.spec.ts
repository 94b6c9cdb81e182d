import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OffsetTracker } from '../offset-tracker';
import { CommitCoalescer, commitFinished, type CommitOffsets, type CommitOutcome } from './commits';
import { type PartitionState } from './work';

/** A commit function whose calls the test settles one by one. */
function controlledCommit() {
  const pending: ((outcome: CommitOutcome) => void)[] = [];
  let calls = 0;
  const commit = () => {
    calls += 1;
    return new Promise<CommitOutcome>((resolve) => pending.push(resolve));
  };
  return {
    commit,
    get calls() {
      return calls;
    },
    /** Settles the oldest running commit and lets its continuation run. */
    async settle(outcome: CommitOutcome = 'done') {
      await vi.advanceTimersByTimeAsync(0);
      const resolve = pending.shift();
      if (!resolve) throw new Error('no commit is running');
      resolve(outcome);
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('CommitCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes one commit of the requests that arrive within the delay', async () => {
    const commits = controlledCommit();
    const coalescer = new CommitCoalescer({ delayMs: 100, intervalMs: 60_000, commit: commits.commit });

    coalescer.soon();
    await vi.advanceTimersByTimeAsync(50);
    coalescer.soon();
    coalescer.soon();
    expect(commits.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(commits.calls).toBe(1);
    await commits.settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(commits.calls).toBe(1);
  });

  it('never runs two commits at once: requests made meanwhile share one commit after it', async () => {
    const commits = controlledCommit();
    const coalescer = new CommitCoalescer({ delayMs: 100, intervalMs: 60_000, commit: commits.commit });

    void coalescer.now();
    void coalescer.now();
    coalescer.soon();
    await vi.advanceTimersByTimeAsync(100);
    void coalescer.now();
    expect(commits.calls).toBe(1);

    await commits.settle();
    expect(commits.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(commits.calls).toBe(2);
    await commits.settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(commits.calls).toBe(2);
  });

  it('tries a commit again after the delay when it asks to', async () => {
    const commits = controlledCommit();
    const coalescer = new CommitCoalescer({ delayMs: 100, intervalMs: 60_000, commit: commits.commit });

    void coalescer.now();
    await commits.settle('again');
    await vi.advanceTimersByTimeAsync(100);
    expect(commits.calls).toBe(2);
    await commits.settle('done');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(commits.calls).toBe(2);
  });

  it('commits on its period once started, whether or not anything asked', async () => {
    const commits = controlledCommit();
    const coalescer = new CommitCoalescer({ delayMs: 100, intervalMs: 5_000, commit: commits.commit });

    await vi.advanceTimersByTimeAsync(5_000);
    expect(commits.calls).toBe(0);
    coalescer.start();
    await vi.advanceTimersByTimeAsync(5_000);
    await commits.settle();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(commits.calls).toBe(2);
    await commits.settle();
    const closing = coalescer.close();
    await commits.settle();
    await closing;
  });

  it('on close, waits for the running commit, commits once more, and then commits no more', async () => {
    const commits = controlledCommit();
    const coalescer = new CommitCoalescer({ delayMs: 100, intervalMs: 5_000, commit: commits.commit });
    coalescer.start();
    void coalescer.now();
    void coalescer.now();

    let closed = false;
    const closing = coalescer.close().then(() => (closed = true));
    await commits.settle();
    expect(commits.calls).toBe(2);
    expect(closed).toBe(false);
    await commits.settle();
    await closing;

    coalescer.soon();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(commits.calls).toBe(2);
  });
});

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

function partition(topic: string, finished: number[], fetched = 5): PartitionState {
  const tracker = new OffsetTracker(0);
  for (let offset = 0; offset < fetched; offset += 1) tracker.track(offset);
  for (const offset of finished) tracker.finish(offset);
  return {
    topic,
    partition: 0,
    tracker,
    revoked: false,
    highWatermark: fetched,
    unseenFrom: 0,
    running: new Set(),
  };
}

function recording(fail?: Error) {
  const requests: Parameters<CommitOffsets>[0][] = [];
  const commitOffsets: CommitOffsets = (offsets) => {
    requests.push(offsets);
    return fail === undefined ? Promise.resolve() : Promise.reject(fail);
  };
  return { requests, commitOffsets };
}

describe('commitFinished', () => {
  it("commits in one request each owned partition's lowest unfinished offset that moved", async () => {
    const moved = partition('a', [0, 1, 3]);
    const unmoved = partition('b', [1, 2]);
    const revoked = partition('c', [0, 1, 2]);
    revoked.revoked = true;
    const { requests, commitOffsets } = recording();

    await expect(commitFinished([moved, unmoved, revoked], commitOffsets, silent)).resolves.toBe('done');
    expect(requests).toEqual([[{ topic: 'a', partition: 0, offset: '2' }]]);
    expect(moved.tracker.committed).toBe(2);

    await commitFinished([moved, unmoved], commitOffsets, silent);
    expect(requests).toHaveLength(1);
  });

  it('asks to be tried again when the commit fails, and keeps the offsets uncommitted', async () => {
    const state = partition('a', [0]);
    const { requests, commitOffsets } = recording(new Error('request timed out'));

    await expect(commitFinished([state], commitOffsets, silent)).resolves.toBe('again');
    expect(requests).toHaveLength(1);
    expect(state.tracker.committed).toBe(0);
  });

  it('leaves a commit refused during a rebalance to the next assignment', async () => {
    const state = partition('a', [0]);
    const refused = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    const { commitOffsets } = recording(refused);

    await expect(commitFinished([state], commitOffsets, silent)).resolves.toBe('done');
    expect(state.tracker.committed).toBe(0);
  });
});

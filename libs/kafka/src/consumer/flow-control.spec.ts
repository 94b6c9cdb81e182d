import { describe, expect, it } from 'vitest';
import { fetchMaxBytes, FlowControl } from './flow-control';

const TOPICS = ['orders', 'payments', 'group.retry'];

const named = ({ topic, partitions }: { topic: string; partitions?: number[] }) =>
  partitions === undefined ? topic : `${topic}[${partitions.join(',')}]`;

/** Flow control over a consumer that records each pause and resume it is asked for. */
function flowControl() {
  const calls: string[] = [];
  const flow = new FlowControl({
    maxPending: 10,
    maxDelayed: 4,
    retryTopic: 'group.retry',
    consumer: {
      pause: (topics) => calls.push(...topics.map((t) => `pause ${named(t)}`)),
      resume: (topics) => calls.push(...topics.map((t) => `resume ${named(t)}`)),
    },
  });
  flow.control(TOPICS);
  const paused = () => TOPICS.filter((topic) => flow.isPaused(topic));
  return { flow, calls, paused };
}

const idle = { pending: 0, delayed: 0, stopping: false };

describe('FlowControl', () => {
  it('pauses every topic when pending work reaches the limit and resumes them only at half', () => {
    const { flow, paused } = flowControl();
    flow.apply({ ...idle, pending: 9 });
    expect(paused()).toEqual([]);
    flow.apply({ ...idle, pending: 10 });
    expect(paused()).toEqual(TOPICS);
    flow.apply({ ...idle, pending: 6 });
    expect(paused()).toEqual(TOPICS);
    flow.apply({ ...idle, pending: 5 });
    expect(paused()).toEqual([]);
  });

  it('pauses only the retry topic while too many retries wait for their due time', () => {
    const { flow, paused } = flowControl();
    flow.apply({ ...idle, delayed: 4 });
    expect(paused()).toEqual(['group.retry']);
    flow.apply({ ...idle, delayed: 3 });
    expect(paused()).toEqual(['group.retry']);
    flow.apply({ ...idle, delayed: 2 });
    expect(paused()).toEqual([]);
  });

  it('pauses every topic for good once stopping', () => {
    const { flow, paused } = flowControl();
    flow.apply({ ...idle, stopping: true });
    expect(paused()).toEqual(TOPICS);
  });

  it('asks the consumer only for changes, and re-asserts its pauses after a new assignment', () => {
    const { flow, calls } = flowControl();
    flow.apply({ ...idle, delayed: 4 });
    flow.apply({ ...idle, delayed: 5 });
    flow.apply({ ...idle, pending: 10, delayed: 5 });
    flow.reassert();
    flow.apply({ ...idle, pending: 0, delayed: 5 });
    expect(calls).toEqual([
      'pause group.retry',
      'pause orders',
      'pause payments',
      'pause group.retry',
      'pause orders',
      'pause payments',
      'resume orders',
      'resume payments',
    ]);
  });

  it('pauses a held partition alone, and pauses it again after its topic was paused and resumed as a whole', () => {
    const { flow, calls } = flowControl();
    flow.hold('orders', 2);
    flow.apply(idle);
    expect(flow.isPaused('orders', 2)).toBe(true);
    expect(flow.isPaused('orders', 1)).toBe(false);
    expect(flow.isPaused('orders')).toBe(false);
    // kafkajs forgets a topic's paused partitions when the topic is paused or resumed as a whole.
    flow.apply({ ...idle, pending: 10 });
    flow.apply(idle);
    flow.release('orders', 2);
    flow.apply(idle);
    expect(flow.isPaused('orders', 2)).toBe(false);
    expect(calls).toEqual([
      'pause orders[2]',
      'pause orders',
      'pause payments',
      'pause group.retry',
      'resume orders',
      'pause orders[2]',
      'resume payments',
      'resume group.retry',
      'resume orders[2]',
    ]);
  });

  it('takes fetched messages in while pending work is under the limit', () => {
    const { flow } = flowControl();
    expect(flow.hasRoom(9)).toBe(true);
    expect(flow.hasRoom(10)).toBe(false);
  });
});

describe('fetchMaxBytes', () => {
  it('sizes fetches to the read-ahead window, between 1 and 10 MiB (a quarter per partition)', () => {
    const MiB = 1024 * 1024;
    expect(fetchMaxBytes(16)).toEqual({ maxBytes: MiB, maxBytesPerPartition: MiB / 4 });
    expect(fetchMaxBytes(512)).toEqual({ maxBytes: 2 * MiB, maxBytesPerPartition: MiB / 2 });
    expect(fetchMaxBytes(1_000_000)).toEqual({ maxBytes: 10 * MiB, maxBytesPerPartition: (10 * MiB) / 4 });
  });
});

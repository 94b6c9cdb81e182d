import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixKafkajsRequestQueue } from './request-queue-fix';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: {
    entry: {
      correlationId: number;
      apiKey: number;
      apiName: string;
      apiVersion: number;
      resolve: () => void;
      reject: (error: unknown) => void;
    };
    expectResponse: boolean;
    sendRequest: () => void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  scheduleRequestTimeoutCheck(): void;
  destroy(): void;
}

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue(maxInFlightRequests: number, enforceRequestTimeout = false): Queue {
  const Queue = RequestQueue as unknown as new (options: object) => Queue;
  return new Queue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[], rejected: unknown[] = []) {
  return {
    entry: {
      correlationId,
      apiKey: 1,
      apiName: 'Fetch',
      apiVersion: 11,
      resolve: () => undefined,
      reject: (error: unknown) => rejected.push(error),
    },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('the kafkajs request-queue fix', () => {
  beforeEach(() => {
    fixKafkajsRequestQueue();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('leaves no timer behind once a response arrives and nothing waits', () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still sends a request held back by broker throttling once the throttle ends', () => {
    const q = queue(10);
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    q.destroy();
  });

  it('sends a request held back by the in-flight limit when the one in flight is answered', () => {
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });

  it('times out a request that gets no answer within its request timeout, at most a second late', () => {
    const q = queue(1, true);
    q.scheduleRequestTimeoutCheck();
    const sent: number[] = [];
    const rejected: unknown[] = [];
    q.push(request(1, sent, rejected));
    vi.advanceTimersByTime(29_000);
    expect(rejected).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(rejected).toHaveLength(1);
    expect(String(rejected[0])).toMatch(/timed out/);
    q.destroy();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shutDown, type ShutdownSteps } from './shutdown';

/** Steps that record their order; the handlers still running end when the test says so. */
function recordedSteps(runningHandlers: number) {
  const order: string[] = [];
  const warnings: string[] = [];
  let idle!: () => void;
  const whenIdle = new Promise<void>((resolve) => (idle = resolve));
  const steps: ShutdownSteps = {
    stopTaking: () => void order.push('stop taking work'),
    whenIdle: () => whenIdle,
    running: () => runningHandlers,
    abortRunning: (reason) => void order.push(`abort: ${reason.message}`),
    commit: () => {
      order.push('commit');
      return Promise.resolve();
    },
    leave: () => {
      order.push('leave the group');
      return Promise.resolve();
    },
  };
  const logger = { log: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) };
  return { steps, order, warnings, logger, idle: () => idle() };
}

describe('shutDown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops taking work, waits for the running handlers, commits, then leaves the group', async () => {
    const { steps, order, logger, idle } = recordedSteps(1);
    let stopped = false;
    const stopping = shutDown(steps, 30_000, logger).then(() => (stopped = true));

    await vi.advanceTimersByTimeAsync(29_000);
    expect(order).toEqual(['stop taking work']);
    expect(stopped).toBe(false);

    idle();
    await stopping;
    expect(order).toEqual(['stop taking work', 'commit', 'leave the group']);
  });

  it('aborts the handlers still running after the drain timeout, then commits and leaves', async () => {
    const { steps, order, warnings, logger } = recordedSteps(2);
    const stopping = shutDown(steps, 30_000, logger);

    await vi.advanceTimersByTimeAsync(30_000);
    await stopping;
    expect(order).toEqual(['stop taking work', 'abort: consumer stopped', 'commit', 'leave the group']);
    expect(warnings).toEqual(['stopping with 2 handler(s) still running after 30000 ms']);
  });
});

import { type LoggerService } from '@nestjs/common';

/** The consumer's parts as a graceful stop drives them, in this order. */
export interface ShutdownSteps {
  /** Pauses fetching and drops queued and waiting work: uncommitted, the next owner reads it again. */
  stopTaking(): void;
  /** Resolves when no handler runs. */
  whenIdle(): Promise<void>;
  /** How many handlers still run. */
  running(): number;
  /** Aborts the signals of the handlers still running. */
  abortRunning(reason: Error): void;
  /** Commits what finished, one last time. */
  commit(): Promise<void>;
  /** Leaves the group. */
  leave(): Promise<void>;
}

/**
 * Graceful stop: stop taking work, let running handlers finish (up to `drainTimeoutMs`, then
 * abort their signals), commit what finished, leave the group. A handler aborted here does not
 * finish its offset, so the next owner of the partition runs it again.
 */
export async function shutDown(
  steps: ShutdownSteps,
  drainTimeoutMs: number,
  logger: LoggerService,
): Promise<void> {
  steps.stopTaking();
  let timeout: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    steps.whenIdle().then(() => true),
    new Promise<boolean>((resolve) => {
      timeout = setTimeout(() => resolve(false), drainTimeoutMs);
    }),
  ]);
  clearTimeout(timeout);
  if (!drained) {
    logger.warn(`stopping with ${steps.running()} handler(s) still running after ${drainTimeoutMs} ms`);
    steps.abortRunning(new Error('consumer stopped'));
  }
  await steps.commit();
  await steps.leave();
}

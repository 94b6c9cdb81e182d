import { type LoggerService } from '@nestjs/common';
import { errorClassName, errorMessage } from '../errors';
import { type PartitionState, type Work } from './work';

export interface PartitionHoldsOptions {
  /** The first message of a partition is held: stop fetching the partition. */
  readonly pause: (state: PartitionState) => void;
  /** The partition's last held message is released: fetch it again. */
  readonly resume: (state: PartitionState) => void;
  readonly logger: LoggerService;
}

interface Held {
  readonly works: Set<Work>;
  readonly since: number;
  attempts: number;
}

/**
 * Messages retried in place after a transient failure (failure policy `hold-partition`), by
 * partition: the partition is paused while any of its messages is held, so nothing more is fetched
 * from it until the dependency answers again. A held message keeps its concurrency slot and its key.
 * A wait ends early when the work is abandoned (its partition lost, the consumer stopping).
 */
export class PartitionHolds {
  private readonly held = new Map<PartitionState, Held>();

  constructor(private readonly options: PartitionHoldsOptions) {}

  /** Messages held now. */
  get count(): number {
    let count = 0;
    for (const { works } of this.held.values()) count += works.size;
    return count;
  }

  /** Waits `delayMs` (or until the work is abandoned) with its partition paused. */
  async wait(work: Work, error: unknown, delayMs: number): Promise<void> {
    const { state } = work;
    let held = this.held.get(state);
    if (!held) {
      held = { works: new Set(), since: Date.now(), attempts: 0 };
      this.held.set(state, held);
      this.options.pause(state);
      this.options.logger.warn(
        `partition ${state.topic}/${state.partition} held: ${errorClassName(error)}: ${errorMessage(error)}; ` +
          'its messages are retried in place until the dependency answers',
      );
    }
    held.works.add(work);
    held.attempts += 1;
    await abortableSleep(delayMs, work.controller.signal);
  }

  /** The work succeeded, failed otherwise, or was abandoned: its partition resumes with its last held message. */
  release(work: Work): void {
    const { state } = work;
    const held = this.held.get(state);
    if (!held?.works.delete(work) || held.works.size > 0) return;
    this.held.delete(state);
    this.options.resume(state);
    this.options.logger.log(
      `partition ${state.topic}/${state.partition} released after ${Math.round((Date.now() - held.since) / 1000)} s ` +
        `and ${held.attempts} attempt(s) in place`,
    );
  }

  /** Ends every wait (shutdown): the works are abandoned, their offsets left for the next owner. */
  abandonAll(reason: Error): void {
    for (const { works } of this.held.values()) for (const work of works) work.controller.abort(reason);
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

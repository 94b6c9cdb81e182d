import { type EventProducer } from '@tributary/kafka';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress';

/** A producer whose publishes complete only when the test says so, recording what was sent. */
function heldProducer() {
  const sent: { message: string; tokenDelta: string | null; discriminator: string }[] = [];
  const held: { release: () => void; fail: (error: Error) => void }[] = [];
  const producer = {
    emit: (
      _topic: unknown,
      value: { message: string; tokenDelta: string | null },
      options: { discriminator: string },
    ) =>
      new Promise<void>((resolve, reject) => {
        held.push({
          release: () => {
            sent.push({
              message: value.message,
              tokenDelta: value.tokenDelta,
              discriminator: options.discriminator,
            });
            resolve();
          },
          fail: reject,
        });
      }),
  } as unknown as EventProducer;
  return { producer, sent, held };
}

const cause = {
  envelope: { eventId: 'evt-1' },
  value: { taskId: 'tsk-1', tenantId: 'default' },
} as unknown as ConstructorParameters<typeof ProgressReporter>[1];

describe('progress of a step', () => {
  it('returns from report() before the event is published, and publishes in order', async () => {
    const { producer, sent, held } = heldProducer();
    const progress = new ProgressReporter(producer, cause, 'research');
    await progress.report('first');
    progress.token('abc');
    await progress.report('second');
    expect(sent).toEqual([]);
    let flushed = false;
    const flush = progress.flushTokens().then(() => (flushed = true));
    // One publish at a time, each after the previous one completed.
    for (let i = 0; i < 3; i += 1) {
      await expect.poll(() => held.length).toBe(i + 1);
      expect(flushed).toBe(false);
      held[i]?.release();
    }
    await flush;
    expect(sent).toEqual([
      { message: 'first', tokenDelta: null, discriminator: 'research#1' },
      { message: 'tokens', tokenDelta: 'abc', discriminator: 'research#2' },
      { message: 'second', tokenDelta: null, discriminator: 'research#3' },
    ]);
  });

  it('surfaces a failed publish at flushTokens()', async () => {
    const { producer, held } = heldProducer();
    const progress = new ProgressReporter(producer, cause, 'planner');
    await progress.report('first');
    await expect.poll(() => held.length).toBe(1);
    held[0]?.fail(new Error('broker down'));
    await expect(progress.flushTokens()).rejects.toThrow('broker down');
  });
});

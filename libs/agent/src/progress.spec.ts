import { type EventProducer, type PendingEvent } from '@tributary/kafka';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress';

/** A producer whose publishes complete only when the test says so, recording what each request sent. */
function heldProducer() {
  type Sent = { message: string; tokenDelta: string | null; discriminator: string };
  const sent: Sent[] = [];
  const requests: Sent[][] = [];
  const held: { release: () => void; fail: (error: Error) => void }[] = [];
  const producer = {
    emitMany: (events: PendingEvent[]) =>
      new Promise<void>((resolve, reject) => {
        const request = events.map(({ value, options }) => ({
          message: (value as Sent).message,
          tokenDelta: (value as Sent).tokenDelta,
          discriminator: options.discriminator ?? '',
        }));
        held.push({
          release: () => {
            requests.push(request);
            sent.push(...request);
            resolve();
          },
          fail: reject,
        });
      }),
  } as unknown as EventProducer;
  return { producer, sent, requests, held };
}

const cause = {
  envelope: { eventId: 'evt-1' },
  value: { taskId: 'tsk-1', tenantId: 'default' },
} as unknown as ConstructorParameters<typeof ProgressReporter>[1];

describe('progress of a step', () => {
  it('returns from report() before the event is published, and publishes in order', async () => {
    const { producer, sent, requests, held } = heldProducer();
    const progress = new ProgressReporter(producer, cause, 'research');
    await progress.report('first');
    progress.token('abc');
    await progress.report('second');
    expect(sent).toEqual([]);
    let flushed = false;
    const flush = progress.flushTokens().then(() => (flushed = true));
    // One request at a time: what queued while the first was in flight goes in the second.
    for (let i = 0; i < 2; i += 1) {
      await expect.poll(() => held.length).toBe(i + 1);
      expect(flushed).toBe(false);
      held[i]?.release();
    }
    await flush;
    expect(requests.map((request) => request.map((event) => event.message))).toEqual([
      ['first'],
      ['tokens', 'second'],
    ]);
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

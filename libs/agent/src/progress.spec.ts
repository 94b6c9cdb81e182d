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
    // The step's reports so far go in one request; one queued while it is in flight goes in the next.
    const firstFlush = progress.flushTokens();
    await expect.poll(() => held.length).toBe(1);
    await progress.report('third');
    let flushed = false;
    const flush = progress.flushTokens().then(() => (flushed = true));
    held[0]?.release();
    await firstFlush;
    await expect.poll(() => held.length).toBe(2);
    expect(flushed).toBe(false);
    held[1]?.release();
    await flush;
    expect(requests.map((request) => request.map((event) => event.message))).toEqual([
      ['first', 'tokens', 'second'],
      ['third'],
    ]);
    expect(sent).toEqual([
      { message: 'first', tokenDelta: null, discriminator: 'research#1' },
      { message: 'tokens', tokenDelta: 'abc', discriminator: 'research#2' },
      { message: 'second', tokenDelta: null, discriminator: 'research#3' },
      { message: 'third', tokenDelta: null, discriminator: 'research#4' },
    ]);
  });

  it('publishes a report on its own once it has waited a moment for company', async () => {
    const { producer, requests, held } = heldProducer();
    const progress = new ProgressReporter(producer, cause, 'research');
    await progress.report('Searching the catalogue');
    await expect.poll(() => held.length).toBe(1);
    held[0]?.release();
    await progress.flushTokens();
    expect(requests.map((request) => request.map((event) => event.message))).toEqual([
      ['Searching the catalogue'],
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

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NO_PROGRESS, progressBar } from './progress';

function stream(isTTY: boolean): NodeJS.WriteStream & { written(): string } {
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return Object.assign(out, {
    isTTY,
    columns: 120,
    written: () => written,
  }) as unknown as NodeJS.WriteStream & {
    written(): string;
  };
}

describe('progressBar', () => {
  it('draws nothing when the stream is not a terminal, or when turned off (--json, --no-progress)', () => {
    expect(progressBar({ enabled: true, stream: stream(false) })).toBe(NO_PROGRESS);
    expect(progressBar({ enabled: false, stream: stream(true) })).toBe(NO_PROGRESS);
  });

  it('draws counts, rate and time left on a terminal', () => {
    let now = 0;
    const tty = stream(true);
    const progress = progressBar({ enabled: true, stream: tty, now: () => now });
    progress.start('exporting', 2_000);
    now = 2_000;
    progress.advance(1_000);
    progress.stop();
    expect(tty.written()).toMatch(/exporting \[.*\] 50% \| 1,000\/2,000 \| 500\/s \| ETA/);
  });
});

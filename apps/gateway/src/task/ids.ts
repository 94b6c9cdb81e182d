import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so ids survive being read aloud or typed. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export const TASK_ID_PREFIX = 'tsk_';
/** `tsk_` and a 26-character ULID: the first 10 characters are the creation time, so ids sort by age. */
export const TASK_ID_PATTERN = /^tsk_[0-9A-HJKMNP-TV-Z]{26}$/;

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_CHARS; i += 1) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Mints ULIDs that are strictly increasing within one process, even inside one millisecond (the
 * random part is incremented instead of redrawn, as the ULID spec's monotonic mode does). Newest-first
 * listing and cursors rely on that order; ids minted by two processes in the same millisecond
 * still differ by their random part.
 */
export class UlidFactory {
  private lastTime = -1;
  private lastRandom: number[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: (size: number) => Buffer = randomBytes,
  ) {}

  next(): string {
    const time = Math.max(this.now(), this.lastTime);
    if (time === this.lastTime) {
      this.lastRandom = increment(this.lastRandom);
    } else {
      const bytes = this.random(RANDOM_CHARS);
      this.lastRandom = Array.from(bytes, (b) => b % 32);
      this.lastTime = time;
    }
    return encodeTime(time) + this.lastRandom.map((d) => ALPHABET[d]!).join('');
  }
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i -= 1) {
    const digit = next[i]!;
    if (digit < 31) {
      next[i] = digit + 1;
      return next;
    }
    next[i] = 0;
  }
  // 32^16 ids in one millisecond: not reachable in practice; wrapping keeps ids well-formed.
  return next;
}

const defaultFactory = new UlidFactory();

export function mintTaskId(factory: UlidFactory = defaultFactory): string {
  return TASK_ID_PREFIX + factory.next();
}

export function isTaskId(value: string): boolean {
  return TASK_ID_PATTERN.test(value);
}

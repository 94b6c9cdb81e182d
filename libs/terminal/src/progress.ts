import { Presets, SingleBar } from 'cli-progress';

/** Progress of long work: counts, rate and time left, on stderr; silent when nobody watches. */
export interface Progress {
  /** Begins a phase; `total` undefined when the amount of work is not known (a counter without a bar). */
  start(label: string, total: number | undefined): void;
  /** Raises the known total (more work was found). */
  setTotal(total: number): void;
  advance(by?: number): void;
  /** Ends the phase, leaving its last line on the terminal. */
  stop(): void;
}

export interface ProgressOptions {
  /** Where the bar is drawn; stderr by default, so stdout stays clean for data. */
  readonly stream?: NodeJS.WriteStream;
  /** Off with `--json` or `--no-progress`. */
  readonly enabled: boolean;
  /** Clock for the rate, in ms; injectable for tests. */
  readonly now?: () => number;
}

/** Nothing is drawn: not a terminal, `--json`, or `--no-progress`. */
export const NO_PROGRESS: Progress = {
  start: () => undefined,
  setTotal: () => undefined,
  advance: () => undefined,
  stop: () => undefined,
};

/**
 * A progress bar on a terminal (cli-progress), or nothing: a bar is drawn only when enabled and the
 * stream is a TTY, so piping the output or running under CI prints no control characters.
 */
export function progressBar(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || stream.isTTY !== true) return NO_PROGRESS;
  return new TerminalProgress(stream, options.now ?? Date.now);
}

/** `12,345` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

class TerminalProgress implements Progress {
  private bar: SingleBar | undefined;
  private value = 0;
  private startedAt = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number,
  ) {}

  start(label: string, total: number | undefined): void {
    this.stop();
    this.value = 0;
    this.startedAt = this.now();
    const known = total !== undefined;
    this.bar = new SingleBar(
      {
        stream: this.stream,
        format: known
          ? `${label} [{bar}] {percentage}% | {count}/{all} | {rate}/s | ETA {eta_formatted}`
          : `${label} {count} | {rate}/s | {duration_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
        barsize: 30,
      },
      Presets.shades_classic,
    );
    this.bar.start(total ?? 0, 0, this.payload(total ?? 0));
  }

  setTotal(total: number): void {
    this.bar?.setTotal(total);
    this.bar?.update(this.value, this.payload(total));
  }

  advance(by = 1): void {
    if (this.bar === undefined) return;
    this.value += by;
    this.bar.update(this.value, this.payload(this.bar.getTotal()));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(total: number): Record<string, string> {
    const seconds = (this.now() - this.startedAt) / 1000;
    return {
      count: formatCount(this.value),
      all: formatCount(total),
      rate: formatCount(seconds > 0 ? this.value / seconds : 0),
    };
  }
}

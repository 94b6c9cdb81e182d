import { type LoggerService } from '@nestjs/common';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/**
 * A logger for commands: plain lines on stderr, warnings and errors only unless asked, so that
 * stdout carries nothing but the command's output (JSON for scripts, a table for people).
 */
export class StderrLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly command: string,
    level: keyof typeof LEVELS = 'warn',
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown): void {
    this.write('info', message);
  }
  warn(message: unknown): void {
    this.write('warn', message);
  }
  error(message: unknown): void {
    this.write('error', message);
  }
  debug(message: unknown): void {
    this.write('debug', message);
  }
  verbose(message: unknown): void {
    this.write('debug', message);
  }

  private write(level: keyof typeof LEVELS, message: unknown): void {
    if (LEVELS[level] < this.threshold) return;
    const text = message instanceof Error ? message.message : String(message);
    this.stream.write(`${this.command}: ${level}: ${text}\n`);
  }
}

import { type LoggerService } from '@nestjs/common';
import { logCorrelation } from './log-context';

const LEVELS = { debug: 10, verbose: 10, info: 20, log: 20, warn: 30, error: 40, fatal: 50 } as const;
type Level = keyof typeof LEVELS;

/**
 * One JSON line per log entry on stdout, with the service name: easy to read with jq, easy to ship.
 * A line written while an event is handled names its `taskId` and `tenantId`, and `trace_id` and
 * `span_id` when a span is active (see log-context.ts), so logs join traces.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    level: 'debug' | 'info' | 'warn' | 'error' = 'info',
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    // Nest passes the context (class name) last, and a stack before it for errors.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...logCorrelation(),
    };
    if (context) entry.context = context;
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.err = { name: message.name, stack: message.stack };
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry.msg = String(message);
    }
    const extra = rest.filter((item) => item !== undefined);
    if (extra.length > 0) entry.details = extra.map((item) => (item instanceof Error ? item.stack : item));
    const line = `${JSON.stringify(entry)}\n`;
    if (LEVELS[level] >= LEVELS.warn) process.stderr.write(line);
    else process.stdout.write(line);
  }
}

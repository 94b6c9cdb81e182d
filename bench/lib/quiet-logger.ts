import { type LoggerService } from '@nestjs/common';

/** Prints nothing but errors: the runtime and kafkajs are chatty on purpose. */
export class QuietLogger implements LoggerService {
  constructor(private readonly prefix = '') {}

  log(): void {}
  warn(): void {}
  debug(): void {}
  error(message: unknown): void {
    process.stderr.write(`${this.prefix}${String(message)}\n`);
  }
}

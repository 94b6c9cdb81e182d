import { PermanentError, type TributaryErrorOptions } from '@tributary/platform';

/** The command line asks for something that cannot be done as written (exit code 2). */
export class UsageError extends PermanentError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** What the command was asked about does not exist (exit code 4). */
export class NotFoundError extends PermanentError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

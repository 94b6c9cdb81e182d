import { UnavailableError } from './errors';
import { isStoreUnavailable } from './mongo';

/**
 * A dependency is unavailable: an `UnavailableError`, or a MongoDB driver error that says the store
 * did not answer (`isStoreUnavailable`). Such a failure says nothing about the message being handled;
 * the same handler succeeds once the dependency is back. Other retriable errors (a webhook receiver
 * answering 500, a model's 429, a bug that threw) are about the message, and keep a retry budget.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof UnavailableError || isStoreUnavailable(error);
}

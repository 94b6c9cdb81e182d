import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetriableError, UnavailableError } from './errors';
import { isStoreUnavailable } from './mongo';
import { isTransient } from './transient';

const selection = new MongoServerSelectionError('connection <monitor> to 127.0.0.1:27017 timed out', {
  type: 'Unknown',
  servers: new Map(),
} as unknown as ConstructorParameters<typeof MongoServerSelectionError>[1]);

describe('isStoreUnavailable', () => {
  it('counts what a frozen or stopped store throws: no server selected, a connection failed, timed out or was cleared', () => {
    expect(isStoreUnavailable(selection)).toBe(true);
    expect(isStoreUnavailable(new MongoNetworkError('connection 3 closed'))).toBe(true);
    expect(isStoreUnavailable(new MongoNetworkTimeoutError('connection 3 timed out'))).toBe(true);
  });

  it('counts a bulk write that failed for the connection, not for its documents', () => {
    const result = {} as ConstructorParameters<typeof MongoBulkWriteError>[1];
    const interrupted = new MongoBulkWriteError(
      new MongoNetworkError('Connection to 127.0.0.1:27017 interrupted due to server monitor timeout'),
      result,
    );
    expect(isStoreUnavailable(interrupted)).toBe(true);
    expect(isStoreUnavailable(new MongoBulkWriteError(selection, result))).toBe(true);
    const duplicate = new MongoBulkWriteError(
      { message: 'E11000 duplicate key', code: 11000, writeErrors: [] },
      result,
    );
    expect(isStoreUnavailable(duplicate)).toBe(false);
  });

  it('counts a server that says it cannot serve now, by code or by label', () => {
    expect(isStoreUnavailable(new MongoServerError({ code: 91, errmsg: 'shutdown in progress' }))).toBe(true);
    const overloaded = new MongoServerError({ code: 462, errmsg: 'ingress queue full' });
    overloaded.addErrorLabel('SystemOverloadedError');
    expect(isStoreUnavailable(overloaded)).toBe(true);
  });

  it('does not count what fails again the same way: a duplicate key, a bad query, a bad URI, a bug', () => {
    expect(isStoreUnavailable(new MongoServerError({ code: 11000, errmsg: 'duplicate key' }))).toBe(false);
    expect(isStoreUnavailable(new MongoServerError({ code: 2, errmsg: 'unknown operator: $foo' }))).toBe(
      false,
    );
    expect(isStoreUnavailable(new MongoParseError('invalid connection string'))).toBe(false);
    expect(isStoreUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false);
  });
});

describe('isTransient', () => {
  it('is true for a dependency that is unavailable, and only for that', () => {
    expect(isTransient(new UnavailableError('schema registry unavailable'))).toBe(true);
    expect(isTransient(selection)).toBe(true);
    // Retriable, but about the message (a receiver's 500, a model's 429): these keep a retry budget.
    expect(isTransient(new RetriableError('webhook to https://example.com failed: 500'))).toBe(false);
    expect(isTransient(new PermanentError('bad event'))).toBe(false);
    expect(isTransient(new Error('a bug'))).toBe(false);
  });
});

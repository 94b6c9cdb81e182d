import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  boundedStoreCollection,
  isStoreConnectivityError,
  OutstandingOperations,
  storeOperation,
  StoreUnavailableError,
  withStoreDeadline,
} from './store-deadline';

const never = () => new Promise<never>(() => undefined);

describe('storeOperation', () => {
  it('outside a deadline scope runs the operation as it is, with no signal', async () => {
    let given: unknown;
    const result = await storeOperation('findOne', (options) => {
      given = options;
      return Promise.resolve(42);
    });
    expect(result).toBe(42);
    expect(given).toEqual({});
  });

  it('inside a scope rejects with StoreUnavailableError at the deadline and aborts the signal it gave', async () => {
    let signal: AbortSignal | undefined;
    const started = performance.now();
    const error = await withStoreDeadline(50, () =>
      storeOperation('findOne on tasks', (options) => {
        signal = options.signal;
        return never();
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).retriable).toBe(true);
    expect((error as Error).message).toContain('findOne on tasks');
    expect(signal?.aborted).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('refuses an operation at once past the limit of outstanding ones, counting those whose caller stopped waiting until the store settles them', async () => {
    const outstanding = new OutstandingOperations(2);
    const settle: (() => void)[] = [];
    const slow = () => new Promise<string>((resolve) => settle.push(() => resolve('late')));
    let reached = 0;
    const operation = () =>
      withStoreDeadline(
        20,
        () =>
          storeOperation('insertOne on tasks', () => {
            reached += 1;
            return slow();
          }),
        outstanding,
      ).catch((e: unknown) => e);

    // Two operations reach the store and miss their deadline; they still hold their places.
    expect(await Promise.all([operation(), operation()])).toEqual([
      expect.any(StoreUnavailableError),
      expect.any(StoreUnavailableError),
    ]);
    expect(outstanding.current).toBe(2);
    const refused = await operation();
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect((refused as Error).message).toContain('the store is busy');
    expect(reached).toBe(2);

    // Once the store settles one, the next operation is sent again.
    settle.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(outstanding.current).toBe(1);
    const sent = withStoreDeadline(
      1_000,
      () => storeOperation('findOne on tasks', () => Promise.resolve(7)),
      outstanding,
    );
    expect(await sent).toBe(7);
    expect(outstanding.current).toBe(1);
  });

  it('turns a driver connectivity error into StoreUnavailableError and leaves other errors as they are', async () => {
    const network = new mongo.MongoNetworkError('connection reset');
    const failed = await withStoreDeadline(1_000, () =>
      storeOperation('insertOne', () => Promise.reject(network)),
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect((failed as Error).cause).toBe(network);

    const duplicate = Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    const kept = await withStoreDeadline(1_000, () =>
      storeOperation('insertOne', () => Promise.reject(duplicate)),
    ).catch((e: unknown) => e);
    expect(kept).toBe(duplicate);
  });

  it('recognises the errors of a store that cannot serve now', () => {
    expect(isStoreConnectivityError(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isStoreConnectivityError(new mongo.MongoNotConnectedError('not connected'))).toBe(true);
    expect(isStoreConnectivityError(new mongo.MongoServerError({ message: 'time limit', code: 50 }))).toBe(
      true,
    );
    expect(isStoreConnectivityError(new mongo.MongoServerError({ message: 'dup', code: 11000 }))).toBe(false);
    expect(isStoreConnectivityError(new Error('a bug'))).toBe(false);
  });
});

describe('boundedStoreCollection', () => {
  function recording() {
    const calls: { method: string; args: unknown[] }[] = [];
    const collection = {
      collectionName: 'tasks',
      findOne: (...args: unknown[]) => {
        calls.push({ method: 'findOne', args });
        return Promise.resolve(null);
      },
      updateOne: (...args: unknown[]) => {
        calls.push({ method: 'updateOne', args });
        return Promise.resolve({ modifiedCount: 1 });
      },
      find: (...args: unknown[]) => {
        calls.push({ method: 'find', args });
        return 'a cursor';
      },
    };
    return { collection, calls };
  }

  it('in a scope gives reads a signal and maxTimeMS, and writes a signal, in their options argument', async () => {
    const { collection, calls } = recording();
    const bounded = boundedStoreCollection(collection);
    await withStoreDeadline(1_500, async () => {
      await bounded.findOne({ _id: 'a' }, { projection: { _id: 1 } });
      await bounded.updateOne({ _id: 'a' }, { $set: { x: 1 } });
    });
    const [read, write] = calls;
    expect(read?.args[1]).toMatchObject({ projection: { _id: 1 }, maxTimeMS: 1_500 });
    expect((read?.args[1] as { signal: unknown }).signal).toBeInstanceOf(AbortSignal);
    expect(write?.args[2]).not.toHaveProperty('maxTimeMS');
    expect((write?.args[2] as { signal: unknown }).signal).toBeInstanceOf(AbortSignal);
  });

  it('outside a scope calls the collection unchanged, and passes cursors and properties through', async () => {
    const { collection, calls } = recording();
    const bounded = boundedStoreCollection(collection);
    await bounded.findOne({ _id: 'a' });
    expect(calls[0]?.args).toEqual([{ _id: 'a' }]);
    expect(bounded.find({})).toBe('a cursor');
    expect(bounded.collectionName).toBe('tasks');
  });
});

import { AsyncLocalStorage } from 'node:async_hooks';
import { mongo } from 'mongoose';
import { RetriableError, type TributaryErrorOptions } from './errors';

/**
 * The store did not answer (it is down, unreachable, frozen, or slower than the caller can wait).
 * Retriable: the same operation may succeed later. An HTTP request answers it with 503.
 */
export class StoreUnavailableError extends RetriableError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Server error codes that say the server cannot serve now (time limit, shutdown, no primary). */
const UNAVAILABLE_CODES = new Set([50, 91, 189, 10107, 11600, 11602, 13435, 13436]);

/** The driver could not reach the store, or the store could not serve now: trying later may work. */
export function isStoreConnectivityError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError
  )
    return true;
  return (
    error instanceof mongo.MongoServerError &&
    typeof error.code === 'number' &&
    UNAVAILABLE_CODES.has(error.code)
  );
}

interface StoreDeadline {
  /** Each store operation started in the scope must have answered within this. */
  readonly operationTimeoutMs: number;
  /** The operations of every scope together: at most `limit` outstanding at the store. */
  readonly outstanding?: OutstandingOperations;
}

const scope = new AsyncLocalStorage<StoreDeadline>();

/**
 * A count of the store operations requests have started and the store has not settled yet, with a
 * limit. An operation a request stopped waiting for at its deadline still occupies the store (an
 * abort does not reach a write the server has begun): without a limit, clients retrying against a
 * slow store pile up work faster than it can finish, every operation then misses its deadline, and
 * the store stays swamped long after it recovered (measured: a store frozen for 3 minutes under
 * 2 tasks/s and polling clients answered nothing in time for 10 minutes after it thawed). Past the
 * limit an operation is refused at once (`StoreUnavailableError`, so 503), without reaching the store,
 * and the consumers, whose operations run outside any scope, keep the store's capacity.
 */
export class OutstandingOperations {
  private count = 0;

  constructor(readonly limit: number) {}

  get current(): number {
    return this.count;
  }

  /** Takes a place for an operation, or returns false when `limit` are outstanding. */
  tryAcquire(): boolean {
    if (this.count >= this.limit) return false;
    this.count += 1;
    return true;
  }

  release(): void {
    this.count = Math.max(0, this.count - 1);
  }
}

/**
 * Runs `within` (an HTTP request, say) so that every store operation it starts through a
 * `boundedStoreCollection` ends within `operationTimeoutMs`, with a `StoreUnavailableError` if the
 * store has not answered by then. The MongoDB driver waits for a server for its whole
 * `serverSelectionTimeoutMS` and never gives up on a socket that stopped answering: a request must not
 * wait for either. Work outside such a scope (a consumer) keeps the driver's own behaviour.
 */
export function withStoreDeadline<T>(
  operationTimeoutMs: number,
  within: () => T,
  outstanding?: OutstandingOperations,
): T {
  return scope.run({ operationTimeoutMs, ...(outstanding ? { outstanding } : {}) }, within);
}

/** What a bounded operation adds to the driver's options. */
export interface BoundedOptions {
  readonly signal?: AbortSignal;
  readonly maxTimeMS?: number;
}

/**
 * Runs one store operation. Inside a `withStoreDeadline` scope it is given an abort signal and a
 * server-side time limit, and it rejects with `StoreUnavailableError` at the deadline even if the
 * driver has not noticed anything (mongoose holds operations in its own buffer while disconnected,
 * where the signal does not reach them); a connectivity error of the driver becomes a
 * `StoreUnavailableError` too. Other errors (a duplicate key, say) are left as they are.
 */
export async function storeOperation<T>(
  name: string,
  run: (options: BoundedOptions) => Promise<T>,
): Promise<T> {
  const deadline = scope.getStore();
  if (deadline === undefined) return run({});
  const ms = deadline.operationTimeoutMs;
  const { outstanding } = deadline;
  if (outstanding !== undefined && !outstanding.tryAcquire()) {
    throw new StoreUnavailableError(
      `the store is busy: ${outstanding.limit} operations of requests are outstanding, ${name} not sent`,
    );
  }
  const controller = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
      once: true,
    });
  });
  const timer = setTimeout(
    () => controller.abort(new StoreUnavailableError(`the store did not answer ${name} within ${ms} ms`)),
    ms,
  );
  // Settled once (a mongoose query runs again each time `then` is called on it).
  const operation = Promise.resolve(run({ signal: controller.signal, maxTimeMS: ms }));
  // The place is held until the store settles the operation, not until the caller stops waiting.
  if (outstanding !== undefined) {
    operation.then(
      () => outstanding.release(),
      () => outstanding.release(),
    );
  }
  try {
    return await Promise.race([operation, timedOut]);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    if (isStoreConnectivityError(error))
      throw new StoreUnavailableError(`the store could not be reached for ${name}`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Where each bounded method takes its options, and whether the server-side limit applies to it. */
const BOUNDED_METHODS: Readonly<Record<string, { readonly optionsAt: number; readonly read: boolean }>> = {
  findOne: { optionsAt: 1, read: true },
  countDocuments: { optionsAt: 1, read: true },
  insertOne: { optionsAt: 1, read: false },
  insertMany: { optionsAt: 1, read: false },
  deleteOne: { optionsAt: 1, read: false },
  deleteMany: { optionsAt: 1, read: false },
  bulkWrite: { optionsAt: 1, read: false },
  updateOne: { optionsAt: 2, read: false },
  updateMany: { optionsAt: 2, read: false },
  replaceOne: { optionsAt: 2, read: false },
};

/**
 * The collection (the driver's, or mongoose's over it), with each single-round-trip operation
 * (`findOne`, inserts, updates, deletes, `bulkWrite`) run through `storeOperation`: bounded inside a
 * `withStoreDeadline` scope, unchanged outside it. Reads also get `maxTimeMS`, so the server stops
 * working on a read nobody waits for; writes get only the signal (an aborted write may still have
 * been applied, as with any write whose answer was lost). Cursors (`find`, `aggregate`) pass through.
 */
export function boundedStoreCollection<T extends object>(collection: T): T {
  const bounded = new Map<PropertyKey, unknown>();
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      const method = typeof property === 'string' ? BOUNDED_METHODS[property] : undefined;
      if (method === undefined || typeof value !== 'function') return value;
      let wrapper = bounded.get(property);
      if (wrapper === undefined) {
        const original = value as (...args: unknown[]) => Promise<unknown>;
        const name = `${String(property)} on ${collectionName(target)}`;
        wrapper = (...args: unknown[]) =>
          storeOperation(name, (options) => {
            if (options.signal === undefined) return original.apply(target, args);
            const given = (args[method.optionsAt] ?? {}) as Record<string, unknown>;
            const withLimits = method.read
              ? { ...given, signal: options.signal, maxTimeMS: given.maxTimeMS ?? options.maxTimeMS }
              : { ...given, signal: options.signal };
            const call = [...args];
            while (call.length < method.optionsAt) call.push(undefined);
            call[method.optionsAt] = withLimits;
            return original.apply(target, call);
          });
        bounded.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

function collectionName(collection: object): string {
  const name = (collection as { collectionName?: unknown }).collectionName;
  return typeof name === 'string' ? name : 'a collection';
}

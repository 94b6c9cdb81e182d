import { MongoError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import mongoose, { type Connection, type Model, type Schema } from 'mongoose';
import { type ReadinessCheck } from './health';

export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');

/**
 * How fast a store that stopped answering is noticed. The driver does not time out an operation on
 * a connection that went silent by itself: with its defaults (a hello every 10 s, 30 s to connect) a
 * `findOne` on a frozen server failed only after 40 to 70 s (measured through a frozen TCP proxy in
 * front of FerretDB). What bounds it is the server monitor: a hello unanswered for `connectTimeoutMs`
 * marks the server unknown, clears the pool (interrupting the operations waiting on it) and every
 * operation then fails server selection after `serverSelectionTimeoutMs`. With the defaults below
 * every operation failed within 2 to 6.5 s of the freeze, and the first after the store came back
 * succeeded (docs/runtime.md, "A store outage"). `socketTimeoutMs` is a backstop for one connection
 * hanging while the monitor's still answers; the driver's `timeoutMS` (CSOT) has no effect in this
 * driver version, and `maxTimeMS` is enforced by the server, which a frozen one never reads.
 */
export interface MongoTimeouts {
  readonly serverSelectionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly heartbeatFrequencyMs: number;
  readonly socketTimeoutMs: number;
}

export const DEFAULT_MONGO_TIMEOUTS: MongoTimeouts = {
  serverSelectionTimeoutMs: 5_000,
  connectTimeoutMs: 2_000,
  heartbeatFrequencyMs: 1_000,
  socketTimeoutMs: 30_000,
};

export async function connectMongo(
  uri: string,
  timeouts: MongoTimeouts = DEFAULT_MONGO_TIMEOUTS,
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: timeouts.serverSelectionTimeoutMs,
    connectTimeoutMS: timeouts.connectTimeoutMs,
    heartbeatFrequencyMS: timeouts.heartbeatFrequencyMs,
    socketTimeoutMS: timeouts.socketTimeoutMs,
    // FerretDB (the local store) and MongoDB both accept these; no transactions or change streams are used.
    retryWrites: false,
    autoIndex: true,
  });
  await connection.asPromise();
  return connection;
}

/**
 * Server error codes that say the server cannot serve now, not that the operation is wrong: the
 * driver's own list of retryable read and write errors (HostUnreachable 6, HostNotFound 7,
 * NetworkTimeout 89, ShutdownInProgress 91, PrimarySteppedDown 189, ExceededTimeLimit 262,
 * SocketException 9001, NotWritablePrimary 10107, InterruptedAtShutdown 11600,
 * InterruptedDueToReplStateChange 11602, NotPrimaryNoSecondaryOk 13435, NotPrimaryOrSecondary 13436,
 * ReadConcernMajorityNotAvailableYet 134), which it does not export.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Labels the driver or the server put on an error that trying again later can cure. */
const UNAVAILABLE_LABELS = ['RetryableWriteError', 'RetryableError', 'SystemOverloadedError', 'ResetPool'];

/**
 * The store did not answer, or cannot serve now: no server selected in time
 * (`MongoServerSelectionError`), a connection that failed, timed out or was cleared with its pool
 * (`MongoNetworkError` and its subclasses), or a server error with a code or label that says so. A
 * duplicate key, a validation failure or a bad query is not: the same operation fails again. A bulk
 * write that failed for such a reason (not for its documents) wraps it: `MongoBulkWriteError` keeps
 * the driver's error as its `errorResponse`.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let depth = 0, current = error; depth < 4 && current instanceof MongoError; depth += 1) {
    if (current instanceof MongoNetworkError || current instanceof MongoServerSelectionError) return true;
    const labelled = current;
    if (UNAVAILABLE_LABELS.some((label) => labelled.hasErrorLabel(label))) return true;
    if (current instanceof MongoServerError) {
      if (typeof current.code === 'number' && UNAVAILABLE_CODES.has(current.code)) return true;
      const wrapped: unknown = current.errorResponse;
      current = wrapped instanceof Error ? wrapped : current.cause;
    } else {
      current = current.cause;
    }
  }
  return false;
}

export function mongoReadiness(connection: Connection): ReadinessCheck {
  return {
    name: 'mongodb',
    async check() {
      const db = connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().ping();
    },
  };
}

/** The model `name` on this connection, compiled once (mongoose refuses to compile a name twice). */
export function modelOn<T>(
  connection: Connection,
  name: string,
  schema: Schema<T>,
  collection: string,
): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema, collection);
}

/** A unique index refused a write: for an upsert that raced another, the other writer won. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

/**
 * An upsert that tolerates a concurrent upsert of the same key: MongoDB (and FerretDB) may refuse
 * the loser with a duplicate-key error instead of turning it into an update, so it runs again.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write();
  }
}

/**
 * The store collection a process in a namespace writes instead of `name` (a replay's agents: their
 * call journal, review rounds and cancellations stay apart from the live ones): `<name>__<namespace>`
 * with the namespace's dots and dashes as underscores. '' is the live collection, `name` itself.
 */
export function namespacedCollection(name: string, namespace: string): string {
  return namespace === '' ? name : `${name}__${namespace.replace(/[^a-z0-9_]/g, '_')}`;
}

import mongoose, { type Connection, type Model, type Schema } from 'mongoose';
import { type ReadinessCheck } from './health';

export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');

export async function connectMongo(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 10_000,
    // FerretDB (the local store) and MongoDB both accept these; no transactions or change streams are used.
    retryWrites: false,
    autoIndex: true,
  });
  await connection.asPromise();
  return connection;
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

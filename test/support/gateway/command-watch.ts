import { type mongo } from 'mongoose';

/** A command the driver sent that reads or changes documents, with its filters. */
export interface WatchedCommand {
  readonly command: string;
  readonly filters: readonly unknown[];
}

/** Commands that select documents; anything else (inserts, handshakes) selects none. */
const SELECTING = new Set([
  'find',
  'update',
  'delete',
  'findAndModify',
  'aggregate',
  'count',
  'distinct',
  'getMore',
]);

/**
 * Watches a client's commands (it must be created with `monitorCommands: true`) and tells which of
 * them select documents by anything but an exact `{ _id: <string> }`: on FerretDB (the local store)
 * only that filter is answered from the primary key; any other decodes the whole collection.
 */
export class CommandWatch {
  private readonly seen: WatchedCommand[] = [];

  constructor(client: mongo.MongoClient) {
    client.on('commandStarted', (event) => {
      if (!SELECTING.has(event.commandName)) return;
      const body = event.command as Record<string, unknown>;
      this.seen.push({ command: event.commandName, filters: filtersOf(event.commandName, body) });
    });
  }

  mark(): number {
    return this.seen.length;
  }

  /** Everything since `mark` that selects by other than an exact `_id`. */
  offenders(mark: number): WatchedCommand[] {
    return this.seen.slice(mark).filter((s) => !s.filters.every(isExactId));
  }
}

function filtersOf(name: string, command: Record<string, unknown>): unknown[] {
  switch (name) {
    case 'find':
      return [command.filter];
    case 'update':
      return (command.updates as { q: unknown }[]).map((u) => u.q);
    case 'delete':
      return (command.deletes as { q: unknown }[]).map((d) => d.q);
    case 'findAndModify':
      return [command.query];
    default:
      return [{ [name]: 'not an _id lookup' }];
  }
}

function isExactId(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const keys = Object.keys(filter);
  return keys.length === 1 && keys[0] === '_id' && typeof (filter as { _id: unknown })._id === 'string';
}

import { Inject, Injectable } from '@nestjs/common';
import { type Collection, type mongo } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { writeErrorsOf } from './bulk-write-errors';
import { TASK_LIST_COLLECTION } from './collections';
import {
  entryId,
  headId,
  type ListedTask,
  type ListItem,
  markerId,
  type Membership,
  scopePrefix,
} from './task-list';

/**
 * The three kinds of document of `task_lists`, all keyed so that every read is by exact `_id`:
 * - entry `<tenant>|<scope>|<position>`: one task at one position of a scope; inserted once (the
 *   insert is the claim of the position), `live` once its task's marker names it;
 * - marker `<tenant>|<scope>|t:<taskId>`: which position is the task's in the scope (inserted once:
 *   the claim of the task's place in the list, so a task is listed once however often it is tried);
 * - head `<tenant>|<scope>|head`: a hint of the newest position (readers and writers probe past it).
 */
export interface ListEntryDocument {
  _id: string;
  taskId: string;
  live: boolean;
  item: ListItem;
}

interface MarkerDocument {
  _id: string;
  position: number;
  live: boolean;
}

interface HeadDocument {
  _id: string;
  position: number;
}

type ListDocument = ListEntryDocument | MarkerDocument | HeadDocument;

/** Most documents one insert carries. */
const INSERT_CHUNK = 1_000;
/** Claim rounds before giving up (each lost round means another writer took the positions tried). */
const MAX_ROUNDS = 100;
/** Positions a reader probes past the newest it knows at once, once the first probe found one. */
const PROBE = 4;
/** Scopes whose newest position a writer remembers. */
const HEADS_KEPT = 10_000;
/** Final entries kept in memory (a few hundred bytes to 2 kB each). */
const FINAL_KEPT = 5_000;

/**
 * The list documents (see docs/adr/0009): every read is an exact `_id` (the only filter FerretDB,
 * the local store, answers without decoding the whole collection), every write an insert or an
 * update by `_id`. No document is updated by two writers with different intent: entries and markers
 * are claimed by insert; an entry is then updated only by the writer of its marker (to make it
 * live) or by whoever applies its task's end (the same final item, whoever writes it).
 */
@Injectable()
export class TaskListRepository {
  /** The newest position this process saw per scope prefix (a hint, like the head documents). */
  private readonly heads = new Map<string, number>();
  /**
   * Entries that are live with a final item, by `_id`, least recently read first. Such an entry never
   * changes again (a finalize run twice writes the same item), so reading it once is enough: the
   * top pages of the lists, which most reads ask for, then cost the probes for newer entries only.
   */
  private readonly final = new Map<string, ListEntryDocument>();

  constructor(@Inject(TASK_LIST_COLLECTION) private readonly lists: Collection) {}

  /** The driver's collection (no mongoose casting on these small documents). */
  private get collection(): mongo.Collection<ListDocument> {
    return this.lists as unknown as mongo.Collection<ListDocument>;
  }

  private get entries(): mongo.Collection<ListEntryDocument> {
    return this.collection as unknown as mongo.Collection<ListEntryDocument>;
  }

  private get markers(): mongo.Collection<MarkerDocument> {
    return this.collection as unknown as mongo.Collection<MarkerDocument>;
  }

  async ensureCollection(): Promise<void> {
    await this.lists.conn.createCollection(this.lists.collectionName).catch(() => undefined);
  }

  /**
   * Lists each task in its scope once. `fresh`: the tasks were just created by this caller and no
   * one else can list them yet (a submission before its event is published, a rebuild into an empty
   * collection), so their entries go in live and no marker is read first.
   *
   * Otherwise: 1. read the markers; a task already listed is done (its entry is made live if a crash
   * stopped that). 2. claim an entry at the scope's next free position, not live. 3. insert the
   * marker; if another writer (or an earlier attempt that died) inserted it first, that one's
   * position is the task's and ours stays a dead entry that readers skip. 4. make the entry live.
   * A crash anywhere leaves at most a dead entry; the redelivery finishes the job.
   */
  async enlist(all: readonly Membership[], options: { fresh?: boolean } = {}): Promise<void> {
    const fresh = options.fresh === true;
    const unique = new Map<string, Membership>();
    for (const m of all) unique.set(markerId(scopePrefix(m.tenant, m.scope), m.taskId), m);
    let todo = [...unique.values()];
    const revive: { prefix: string; taskId: string; position: number }[] = [];
    if (!fresh) {
      const found = await Promise.all(
        todo.map((m) => this.markers.findOne({ _id: markerId(scopePrefix(m.tenant, m.scope), m.taskId) })),
      );
      const rest: Membership[] = [];
      for (const [i, m] of todo.entries()) {
        const marker = found[i];
        if (!marker) rest.push(m);
        else if (!marker.live)
          revive.push({
            prefix: scopePrefix(m.tenant, m.scope),
            taskId: m.taskId,
            position: marker.position,
          });
      }
      todo = rest;
    }
    const claimed = await this.claim(todo, fresh);
    const won = await this.mark(claimed, fresh);
    if (!fresh) await this.makeLive([...won, ...revive]);
  }

  /**
   * Sets the final item on the task's entries in these scopes (those it has a marker in), so readers
   * take it from the entry and skip it in the status scopes it has left without reading the task.
   */
  async finalize(all: readonly Membership[]): Promise<void> {
    const found = await Promise.all(
      all.map((m) => this.markers.findOne({ _id: markerId(scopePrefix(m.tenant, m.scope), m.taskId) })),
    );
    const operations: mongo.AnyBulkWriteOperation<ListEntryDocument>[] = [];
    for (const [i, m] of all.entries()) {
      const marker = found[i];
      if (!marker) continue;
      operations.push({
        updateOne: {
          filter: { _id: entryId(scopePrefix(m.tenant, m.scope), marker.position) },
          update: { $set: { item: m.item, live: true } },
        },
      });
    }
    if (operations.length > 0) await this.entries.bulkWrite(operations, { ordered: false });
  }

  /** Inserts entries at the next free positions of their scopes; resolves with each one's position. */
  private async claim(
    todo: readonly Membership[],
    live: boolean,
  ): Promise<{ m: Membership; prefix: string; position: number }[]> {
    const byPrefix = new Map<string, Membership[]>();
    for (const m of [...todo].sort((a, b) => a.taskId.localeCompare(b.taskId))) {
      const prefix = scopePrefix(m.tenant, m.scope);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), m]);
    }
    const next = new Map<string, number>();
    const unknown = [...byPrefix.keys()].filter((prefix) => !this.heads.has(prefix));
    await this.readHeads(unknown);
    for (const prefix of byPrefix.keys()) next.set(prefix, (this.heads.get(prefix) ?? 0) + 1);

    const done: { m: Membership; prefix: string; position: number }[] = [];
    let pending = [...byPrefix];
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_ROUNDS) {
        throw new Error(
          `could not claim list positions in ${pending.length} scope(s) after ${MAX_ROUNDS} rounds`,
        );
      }
      const tries: { m: Membership; prefix: string; position: number }[] = [];
      for (const [prefix, members] of pending) {
        let position = next.get(prefix)!;
        for (const m of members) tries.push({ m, prefix, position: position++ });
        next.set(prefix, position);
      }
      const lost = await this.insertEntries(tries, live);
      const retry = new Map<string, Membership[]>();
      for (const [i, attempt] of tries.entries()) {
        if (lost.has(i)) retry.set(attempt.prefix, [...(retry.get(attempt.prefix) ?? []), attempt.m]);
        else {
          done.push(attempt);
          this.remember(attempt.prefix, attempt.position);
        }
      }
      // Another writer took positions: start again past the head it may have written, or past the
      // positions tried (every position below a taken one is taken: claims never leave gaps).
      await this.readHeads([...retry.keys()]);
      for (const prefix of retry.keys()) {
        next.set(prefix, Math.max(next.get(prefix)!, (this.heads.get(prefix) ?? 0) + 1));
      }
      pending = [...retry];
    }
    return done;
  }

  /** Inserts the tries' entries, unordered; resolves with the indexes of those whose position was taken. */
  private async insertEntries(
    tries: readonly { m: Membership; prefix: string; position: number }[],
    live: boolean,
  ): Promise<Set<number>> {
    const lost = new Set<number>();
    for (let start = 0; start < tries.length; start += INSERT_CHUNK) {
      const chunk = tries.slice(start, start + INSERT_CHUNK);
      const documents = chunk.map((t) => ({
        _id: entryId(t.prefix, t.position),
        taskId: t.m.taskId,
        live,
        item: t.m.item,
      }));
      try {
        await this.entries.insertMany(documents, { ordered: false });
      } catch (error) {
        const failures = writeErrorsOf(error);
        if (failures.length === 0 || failures.some((f) => !isDuplicateKey(f))) throw error;
        for (const f of failures) lost.add(start + f.index);
      }
    }
    return lost;
  }

  /**
   * Inserts each claimed entry's marker and moves the heads forward (one unordered bulk write).
   * Resolves with the entries whose marker this call inserted, or whose task's marker (inserted by
   * another writer first) must be checked live instead of ours.
   */
  private async mark(
    claimed: readonly { m: Membership; prefix: string; position: number }[],
    live: boolean,
  ): Promise<{ prefix: string; taskId: string; position: number }[]> {
    if (claimed.length === 0) return [];
    const newest = new Map<string, number>();
    for (const c of claimed) newest.set(c.prefix, Math.max(newest.get(c.prefix) ?? 0, c.position));
    const operations: mongo.AnyBulkWriteOperation<ListDocument>[] = [
      ...claimed.map((c): mongo.AnyBulkWriteOperation<ListDocument> => ({
        insertOne: { document: { _id: markerId(c.prefix, c.m.taskId), position: c.position, live } },
      })),
      ...[...newest].map(([prefix, position]): mongo.AnyBulkWriteOperation<ListDocument> => ({
        updateOne: {
          filter: { _id: headId(prefix) },
          update: { $max: { position } },
          upsert: true,
        },
      })),
    ];
    const taken = new Set<number>();
    try {
      await this.collection.bulkWrite(operations, { ordered: false });
    } catch (error) {
      const failures = writeErrorsOf(error);
      if (failures.length === 0 || failures.some((f) => !isDuplicateKey(f))) throw error;
      // A duplicate on a head is a lost race to create it (a hint: the next writer fixes it).
      for (const f of failures) if (f.index < claimed.length) taken.add(f.index);
    }
    const result: { prefix: string; taskId: string; position: number }[] = [];
    const others = await Promise.all(
      claimed.map((c, i) =>
        taken.has(i) ? this.markers.findOne({ _id: markerId(c.prefix, c.m.taskId) }) : Promise.resolve(null),
      ),
    );
    const dead: string[] = [];
    for (const [i, c] of claimed.entries()) {
      const other = others[i];
      if (!taken.has(i)) result.push({ prefix: c.prefix, taskId: c.m.taskId, position: c.position });
      else {
        dead.push(entryId(c.prefix, c.position));
        if (other && !other.live)
          result.push({ prefix: c.prefix, taskId: c.m.taskId, position: other.position });
      }
    }
    // A fresh entry went in live; if its task turned out to be listed already it must not show twice.
    if (live && dead.length > 0) {
      await this.entries.bulkWrite(
        dead.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { live: false } } } })),
        { ordered: false },
      );
    }
    return result;
  }

  /** Marks the task's entries (and their markers) live: what readers show. */
  private async makeLive(
    targets: readonly { prefix: string; taskId: string; position: number }[],
  ): Promise<void> {
    if (targets.length === 0) return;
    const operations: mongo.AnyBulkWriteOperation<ListDocument>[] = targets.flatMap(
      (t): mongo.AnyBulkWriteOperation<ListDocument>[] => [
        { updateOne: { filter: { _id: entryId(t.prefix, t.position) }, update: { $set: { live: true } } } },
        { updateOne: { filter: { _id: markerId(t.prefix, t.taskId) }, update: { $set: { live: true } } } },
      ],
    );
    await this.collection.bulkWrite(operations, { ordered: false });
  }

  private async readHeads(prefixes: readonly string[]): Promise<void> {
    const heads = await Promise.all(
      prefixes.map(
        (prefix) => this.collection.findOne({ _id: headId(prefix) }) as Promise<HeadDocument | null>,
      ),
    );
    for (const [i, prefix] of prefixes.entries()) this.remember(prefix, heads[i]?.position ?? 0);
  }

  private remember(prefix: string, position: number): void {
    const known = this.heads.get(prefix) ?? 0;
    this.heads.delete(prefix);
    this.heads.set(prefix, Math.max(known, position));
    if (this.heads.size > HEADS_KEPT) this.heads.delete(this.heads.keys().next().value as string);
  }

  // --- reads ---------------------------------------------------------------------------------

  /**
   * The newest position of a scope: from the newest this process has seen (or the head document),
   * probes past it by `_id`, a few at once (the head lags when a writer died between its entry and
   * the head, or lost a race to move it; other instances add entries this one has not seen).
   */
  async newest(prefix: string): Promise<number> {
    let top = this.heads.get(prefix);
    if (top === undefined) {
      await this.readHeads([prefix]);
      top = this.heads.get(prefix) ?? 0;
    }
    for (let round = 0; ; round += 1) {
      // Far behind (another instance wrote many): the head document may know better.
      if (round === 3) {
        await this.readHeads([prefix]);
        top = Math.max(top, this.heads.get(prefix) ?? 0);
      }
      // Mostly nothing is newer: one probe says so; after a hit, several at once.
      const probes = Array.from({ length: round === 0 ? 1 : PROBE }, (_, i) => top! + 1 + i);
      const found = await Promise.all(
        probes.map((position) =>
          this.entries.findOne({ _id: entryId(prefix, position) }, { projection: { _id: 1 } }),
        ),
      );
      const missing = found.findIndex((entry) => entry === null);
      if (missing === -1) {
        top += probes.length;
        continue;
      }
      top += missing;
      this.remember(prefix, top);
      return top;
    }
  }

  /** The live entries at positions `from` down to `to` (inclusive), newest first, read concurrently. */
  async window(prefix: string, from: number, to: number): Promise<ListedTask[]> {
    const ids: string[] = [];
    for (let position = from; position >= Math.max(1, to); position -= 1) ids.push(entryId(prefix, position));
    const found = await Promise.all(
      ids.map((_id) => {
        const kept = this.final.get(_id);
        return kept === undefined ? this.entries.findOne({ _id }) : Promise.resolve(kept);
      }),
    );
    const listed: ListedTask[] = [];
    for (const [i, entry] of found.entries()) {
      if (!entry?.live) continue;
      if (entry.item.terminal) this.keep(entry);
      listed.push({ position: from - i, taskId: entry.taskId, item: entry.item });
    }
    return listed;
  }

  private keep(entry: ListEntryDocument): void {
    this.final.delete(entry._id);
    this.final.set(entry._id, entry);
    if (this.final.size > FINAL_KEPT) this.final.delete(this.final.keys().next().value as string);
  }
}

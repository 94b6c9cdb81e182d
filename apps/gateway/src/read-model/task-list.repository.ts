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

/**
 * Most entries (each with its marker) one ordered insert carries. FerretDB 1.24 inserts a command's
 * documents in batches of 100 and goes on with the next batch after a failed one even when the insert
 * is ordered; within 100 documents "ordered" means ordered there too, which the pairs rely on.
 */
const PAIRS_PER_INSERT = 50;
/** Claim rounds that meet a taken `_id` before giving up (each means another writer got there first). */
const MAX_ROUNDS = 100;
/** Positions a reader probes past the newest it knows at once, once the first probe found one. */
const PROBE = 4;
/** Scopes whose newest position a writer remembers. */
const HEADS_KEPT = 10_000;
/** Final entries kept in memory (a few hundred bytes to 2 kB each). */
const FINAL_KEPT = 5_000;
/** Markers whose position (and whether live) a writer remembers: about ten per task in flight. */
const MARKERS_KEPT = 20_000;

/** One membership being claimed: its scope's prefix and the position tried. */
interface Attempt {
  readonly m: Membership;
  readonly prefix: string;
  readonly position: number;
}

/** An entry that, with its marker, is to be made live. */
interface Target {
  readonly prefix: string;
  readonly taskId: string;
  readonly position: number;
}

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
  /**
   * Markers this process inserted or read, by `_id`, least recently used first. A marker's position
   * never changes and `live` only goes from false to true, so what is kept here is what the store
   * holds or behind it: a task already listed live is not read again, and a task's end finds its
   * entries without reading its markers.
   */
  private readonly markersKnown = new Map<string, { position: number; live: boolean }>();

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
   * collection), so their entries go in live and no marker is read first. See write().
   */
  async enlist(all: readonly Membership[], options: { fresh?: boolean } = {}): Promise<void> {
    await this.write(all, [], options);
  }

  /**
   * Sets the final item on the task's entries in these scopes (those it has a marker in), so readers
   * take it from the entry and skip it in the status scopes it has left without reading the task.
   */
  async finalize(all: readonly Membership[]): Promise<void> {
    await this.write([], all);
  }

  /**
   * Lists `enlist` and finalizes `finalize` (as enlist() and finalize() do) with one update command
   * for both:
   * 1. Which tasks need a place: one whose marker this process knows live is listed; one whose marker
   *    it knows not live is only made live; a membership marked `unlisted` (its writer knows the task
   *    never was in the scope) or a fresh one is claimed without a read; for any other the marker is
   *    read (by `_id`). The markers of `finalize` this process does not know are read at the same time.
   * 2. Claim: one ordered insert of each entry (at the scope's next free position, not live unless
   *    fresh) followed by its marker, so a marker is only ever written after its entry. It stops at
   *    the first taken `_id`: a taken position is tried again higher up; a taken marker means another
   *    writer (or an earlier attempt that died) listed the task first, so that marker's entry is the
   *    task's and ours stays dead (a fresh one is set dead in step 3).
   * 3. One unordered update: the claimed entries and markers made live, the heads moved forward
   *    (`$max`), the final items set.
   * A crash anywhere leaves at most a dead entry or a marker not live yet; the redelivery finishes
   * the job.
   */
  async write(
    enlist: readonly Membership[],
    finalize: readonly Membership[],
    options: { fresh?: boolean } = {},
  ): Promise<void> {
    const fresh = options.fresh === true;
    const unique = new Map<string, Membership>();
    for (const m of enlist) unique.set(markerId(scopePrefix(m.tenant, m.scope), m.taskId), m);

    const todo: Membership[] = [];
    const revive: Target[] = [];
    const toRead: Membership[] = [];
    for (const [id, m] of unique) {
      const known = fresh ? undefined : this.markersKnown.get(id);
      if (known?.live === true) continue;
      if (known !== undefined) {
        revive.push({ prefix: scopePrefix(m.tenant, m.scope), taskId: m.taskId, position: known.position });
      } else if (fresh || m.unlisted === true) todo.push(m);
      else toRead.push(m);
    }
    const finals = finalize.map((m) => ({ m, prefix: scopePrefix(m.tenant, m.scope) }));
    const finalsToRead = finals.filter(({ m, prefix }) => !this.markersKnown.has(markerId(prefix, m.taskId)));
    await Promise.all(
      [...toRead.map((m) => ({ m, prefix: scopePrefix(m.tenant, m.scope) })), ...finalsToRead].map(
        async ({ m, prefix }) => {
          const marker = await this.markers.findOne({ _id: markerId(prefix, m.taskId) });
          if (marker) this.know(markerId(prefix, m.taskId), marker.position, marker.live);
        },
      ),
    );
    for (const m of toRead) {
      const prefix = scopePrefix(m.tenant, m.scope);
      const known = this.markersKnown.get(markerId(prefix, m.taskId));
      if (known === undefined) todo.push(m);
      else if (!known.live) revive.push({ prefix, taskId: m.taskId, position: known.position });
    }

    const { won, lost } = await this.claim(todo, fresh);
    // A task listed by someone else first: its marker's entry is the task's (made live if it is not).
    await Promise.all(
      lost.map(async (a) => {
        const id = markerId(a.prefix, a.m.taskId);
        const other = await this.markers.findOne({ _id: id });
        if (!other) return;
        this.know(id, other.position, other.live);
        if (!other.live) revive.push({ prefix: a.prefix, taskId: a.m.taskId, position: other.position });
      }),
    );

    const live: Target[] = [
      ...(fresh ? [] : won.map((a) => ({ prefix: a.prefix, taskId: a.m.taskId, position: a.position }))),
      ...revive,
    ];
    const newest = new Map<string, number>();
    for (const c of won) newest.set(c.prefix, Math.max(newest.get(c.prefix) ?? 0, c.position));
    const operations: mongo.AnyBulkWriteOperation<ListDocument>[] = [
      ...live.flatMap((t): mongo.AnyBulkWriteOperation<ListDocument>[] => [
        { updateOne: { filter: { _id: entryId(t.prefix, t.position) }, update: { $set: { live: true } } } },
        { updateOne: { filter: { _id: markerId(t.prefix, t.taskId) }, update: { $set: { live: true } } } },
      ]),
      // A fresh entry went in live; if its task turned out to be listed already it must not show twice.
      ...(fresh ? lost : []).map((a): mongo.AnyBulkWriteOperation<ListDocument> => ({
        updateOne: { filter: { _id: entryId(a.prefix, a.position) }, update: { $set: { live: false } } },
      })),
      ...finals.flatMap(({ m, prefix }): mongo.AnyBulkWriteOperation<ListDocument>[] => {
        const known = this.markersKnown.get(markerId(prefix, m.taskId));
        if (known === undefined) return [];
        return [
          {
            updateOne: {
              filter: { _id: entryId(prefix, known.position) },
              update: { $set: { item: m.item, live: true } },
            },
          },
        ];
      }),
      ...[...newest].map(([prefix, position]): mongo.AnyBulkWriteOperation<ListDocument> => ({
        updateOne: { filter: { _id: headId(prefix) }, update: { $max: { position } }, upsert: true },
      })),
    ];
    if (operations.length > 0) {
      try {
        await this.collection.bulkWrite(operations, { ordered: false });
      } catch (error) {
        // Only a head's upsert can meet a duplicate key (a lost race to create it: a hint, the next
        // writer moves it); the rest were applied.
        const failures = writeErrorsOf(error);
        if (failures.length === 0 || failures.some((f) => !isDuplicateKey(f))) throw error;
      }
    }
    for (const t of live) this.know(markerId(t.prefix, t.taskId), t.position, true);
    // A task that ended is not listed again (a redelivery reads its markers).
    for (const { m, prefix } of finals) this.markersKnown.delete(markerId(prefix, m.taskId));
  }

  /**
   * Inserts an entry and its marker per membership at the next free positions of their scopes.
   * Resolves with the memberships whose marker went in (`won`) and those whose task another writer
   * had listed first (`lost`; their entry went in, at `position`, and is not the task's).
   */
  private async claim(
    todo: readonly Membership[],
    live: boolean,
  ): Promise<{ won: Attempt[]; lost: Attempt[] }> {
    const won: Attempt[] = [];
    const lost: Attempt[] = [];
    if (todo.length === 0) return { won, lost };
    const sorted = [...todo].sort((a, b) => a.taskId.localeCompare(b.taskId));
    const prefixes = [...new Set(sorted.map((m) => scopePrefix(m.tenant, m.scope)))];
    await this.readHeads(prefixes.filter((prefix) => !this.heads.has(prefix)));
    const next = new Map(prefixes.map((prefix) => [prefix, (this.heads.get(prefix) ?? 0) + 1]));

    let pending = sorted;
    for (let conflicts = 0; pending.length > 0;) {
      const tries: Attempt[] = [];
      const start = new Map(next);
      for (const m of pending.slice(0, PAIRS_PER_INSERT)) {
        const prefix = scopePrefix(m.tenant, m.scope);
        const position = start.get(prefix)!;
        start.set(prefix, position + 1);
        tries.push({ m, prefix, position });
      }
      const documents: ListDocument[] = tries.flatMap((t): ListDocument[] => [
        { _id: entryId(t.prefix, t.position), taskId: t.m.taskId, live, item: t.m.item },
        { _id: markerId(t.prefix, t.m.taskId), position: t.position, live },
      ]);
      let inserted = documents.length;
      try {
        await this.collection.insertMany(documents, { ordered: true });
      } catch (error) {
        const first = writeErrorsOf(error)[0];
        if (first === undefined || !isDuplicateKey(first)) throw error;
        inserted = first.index;
      }
      // Pairs before the failure went in whole; the failing one lost its position (an entry) or its
      // task's place (a marker, after our entry went in); later ones were not tried.
      const done = Math.floor(inserted / 2);
      for (const t of tries.slice(0, done)) {
        won.push(t);
        this.know(markerId(t.prefix, t.m.taskId), t.position, live);
      }
      const failed = tries[done];
      let retry = pending.slice(done);
      if (failed !== undefined) {
        conflicts += 1;
        if (conflicts > MAX_ROUNDS) {
          throw new Error(
            `could not claim list positions for ${retry.length} task(s) after ${MAX_ROUNDS} rounds`,
          );
        }
        if (inserted % 2 === 1) {
          lost.push(failed);
          retry = retry.slice(1);
        }
      }
      // Every position below a taken one is taken (claims never leave gaps): go on past the last
      // position tried in each scope up to the failure; a scope not reached keeps its next one.
      for (const t of tries.slice(0, done + (failed === undefined ? 0 : 1))) {
        next.set(t.prefix, Math.max(next.get(t.prefix)!, t.position + 1));
        this.remember(t.prefix, t.position);
      }
      if (failed !== undefined && inserted % 2 === 0) {
        // Another writer took the position: it may have written the head further up.
        await this.readHeads([failed.prefix]);
        next.set(failed.prefix, Math.max(next.get(failed.prefix)!, (this.heads.get(failed.prefix) ?? 0) + 1));
      }
      pending = retry;
    }
    return { won, lost };
  }

  private know(id: string, position: number, live: boolean): void {
    const known = this.markersKnown.get(id);
    this.markersKnown.delete(id);
    this.markersKnown.set(id, { position, live: live || known?.live === true });
    if (this.markersKnown.size > MARKERS_KEPT) {
      this.markersKnown.delete(this.markersKnown.keys().next().value as string);
    }
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

/**
 * Rebuilds the gateway's read model from the topics into fresh collections:
 *
 *   npx tributary projection rebuild --into <suffix> [--replace] [--batch 1000] [--since <ISO instant>] [--json]
 *
 * (the `tributary` command runs this one, dist/tools/rebuild-projection.cjs when built; the read model is
 * the gateway's, so its rebuild stays here: docs/adr/0011).
 *
 * Reads every task topic from its earliest kept record to its end at the time of the read (the
 * runtime's readRanges: one throwaway group for all topics, nothing committed, no consumer
 * disturbed) and folds each task's events, in the order they happened, with the live projection's
 * fold (reducer and row shape) into its final document and its `<taskId>#<seq>` rows. Nothing else
 * writes the fresh collections, so there are no claims and no reads: each task is written once,
 * with large unordered inserts (`--batch` documents each) into `tasks_<suffix>` and
 * `task_events_<suffix>`, and then the lists (`task_lists_<suffix>`: each task among all, its user's,
 * its final status's and its user's in that status, in task id order). Writing overlaps reading: a task that looks finished (a terminal event,
 * and every partition read past it) is written while the read goes on, and rewritten at the end in
 * the rare case a later event of it turns up. Prints counts per topic and per final status, and the
 * time taken. The live collections are not touched; switch over by renaming.
 *
 * The events are held in memory until the end (a late event can reorder a task): fine for millions
 * of small events, not for an unbounded history.
 *
 * `--since` reads only records written at or after an instant: a partial read model (tasks begun
 * earlier lack their first events), for looking at recent traffic and for tests.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigFromProcess } from '@tributary/config';
import { ALL_TOPICS, type TopicKey, TOPICS } from '@tributary/contracts';
import { createKafkaClient, createRegistrySerializer, readRanges } from '@tributary/kafka';
import { connectMongo, JsonLogger } from '@tributary/platform';
import { EXIT, exitCodeFor, progressBar, UsageError } from '@tributary/terminal';
import { type mongo } from 'mongoose';
import { collectionNames } from '../read-model/collections';
import { taskEventModel } from '../read-model/task-event.entity';
import { type TaskEventRow } from '../task/log';
import { TaskEventRepository } from '../read-model/task-event.repository';
import { TaskListRepository } from '../read-model/task-list.repository';
import { type TaskDocument, taskModel } from '../read-model/task.entity';
import { TaskRepository } from '../read-model/task.repository';
import { RebuildFolder, type TaskWrite } from '../read-model/projection/rebuild';
import { toProjected } from '../task/to-projected';

interface Args {
  into: string;
  replace: boolean;
  batch: number;
  since: Date | undefined;
  json: boolean;
  progress: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    into: '',
    replace: false,
    batch: 1_000,
    since: undefined,
    json: false,
    progress: true,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--into') args.into = argv[++i] ?? '';
    else if (arg === '--replace') args.replace = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--no-progress') args.progress = false;
    else if (arg === '--batch') args.batch = Number(argv[++i]);
    else if (arg === '--since') {
      const text = argv[++i] ?? '';
      args.since = new Date(text);
      if (Number.isNaN(args.since.getTime()))
        throw new UsageError(`--since must be an ISO-8601 instant, got "${text}"`);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (args.into === '')
    throw new UsageError(
      'usage: rebuild-projection --into <collection-suffix> [--replace] [--batch <n>] [--since <ISO instant>] [--json] [--no-progress]',
    );
  if (!Number.isInteger(args.batch) || args.batch < 1)
    throw new UsageError('--batch must be a positive integer');
  return args;
}

interface TopicCount {
  read: number;
  undecodable: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = (() => {
    try {
      return collectionNames(args.into);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  })();
  const progress = progressBar({ enabled: args.progress && !args.json });
  const config = loadConfigFromProcess('gateway');
  Logger.overrideLogger(new JsonLogger('rebuild-projection', config.logLevel === 'debug' ? 'debug' : 'warn'));
  const started = performance.now();

  const connection = await connectMongo(config.mongoUri, config.mongoTimeouts);
  const kafka = createKafkaClient(config, { clientId: `${config.kafka.clientId}-rebuild` });
  const serializer = createRegistrySerializer(config, { clientId: config.kafka.clientId });
  try {
    const tasksModel = taskModel(connection, names.tasks);
    const eventsModel = taskEventModel(connection, names.taskEvents);
    const listsCollection = connection.collection(names.taskLists);
    const existing =
      (await tasksModel.estimatedDocumentCount()) +
      (await eventsModel.estimatedDocumentCount()) +
      (await listsCollection.estimatedDocumentCount());
    if (existing > 0 && !args.replace)
      throw new Error(
        `${names.tasks} / ${names.taskEvents} / ${names.taskLists} are not empty; pass --replace to drop them first`,
      );
    const lists = new TaskListRepository(listsCollection);
    // Preparing the collections overlaps the start of the read; inserts wait for it.
    const prepared = (async () => {
      if (existing > 0)
        await Promise.all([
          tasksModel.collection.drop().catch(() => undefined),
          eventsModel.collection.drop().catch(() => undefined),
          listsCollection.drop().catch(() => undefined),
        ]);
      await Promise.all([
        new TaskRepository(tasksModel).ensureIndexes(),
        new TaskEventRepository(eventsModel).ensureIndexes(),
        lists.ensureCollection(),
      ]);
    })();
    prepared.catch(() => undefined); // awaited by the writer; never an unhandled rejection meanwhile

    const kindOf = new Map(
      (Object.keys(TOPICS) as TopicKey[]).map((kind) => [TOPICS[kind].name, kind] as const),
    );
    const perTopic = new Map<string, TopicCount>(
      ALL_TOPICS.map((topic) => [topic.name, { read: 0, undecodable: 0 }]),
    );
    const folder = new RebuildFolder();
    const writer = new Writer(
      tasksModel.collection as unknown as mongo.Collection<TaskDocument>,
      eventsModel.collection as unknown as mongo.Collection<TaskEventRow>,
      args.batch,
      prepared,
    );
    for await (const batch of readRanges({
      kafka,
      serializer,
      topics: ALL_TOPICS,
      ...(args.since ? { fromTime: args.since } : {}),
      onPlan: (plan) =>
        progress.start(
          'reading',
          plan.reduce((n, range) => n + range.end - range.start, 0),
        ),
      onScanned: (count) => progress.advance(count),
    })) {
      const kind = kindOf.get(batch.topic.name)!;
      const count = perTopic.get(batch.topic.name)!;
      for (const record of batch.records) {
        count.read += 1;
        if (!record.ok || record.envelope === undefined) {
          count.undecodable += 1;
          continue;
        }
        folder.add(toProjected(kind, record.envelope, record.value), Number(record.timestamp));
      }
      writer.write(folder.settled(batch.watermark));
    }
    progress.stop();
    const readMs = Math.round(performance.now() - started);
    await writer.write(folder.rest()).drained();
    // Nothing else writes the fresh collection: every listing is fresh (no markers to read first).
    const listings = folder.listings();
    for (let start = 0; start < listings.length; start += args.batch) {
      await lists.enlist(listings.slice(start, start + args.batch), { fresh: true });
    }
    const counts = folder.counts();
    const statuses = [...counts.statuses].map(([status, count]) => ({ _id: status, count }));

    const totalMs = Math.round(performance.now() - started);
    if (args.json) {
      const events = [...perTopic.values()].reduce((n, c) => n + c.read, 0);
      const summary = {
        tasksCollection: names.tasks,
        eventsCollection: names.taskEvents,
        listsCollection: names.taskLists,
        events,
        undecodable: [...perTopic.values()].reduce((n, c) => n + c.undecodable, 0),
        applied: counts.applied,
        duplicates: counts.duplicates,
        refused: counts.refused,
        skipped: counts.skipped,
        tasks: statuses.reduce((n, s) => n + s.count, 0),
        statuses: Object.fromEntries(statuses.map((s) => [s._id, s.count])),
        topics: Object.fromEntries(perTopic),
        readMs,
        totalMs,
        seconds: totalMs / 1000,
        eventsPerSecond: totalMs > 0 ? events / (totalMs / 1000) : 0,
      };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    const lines = [
      `rebuilt the read model into ${names.tasks} and ${names.taskEvents} in ${totalMs} ms (reading ${readMs} ms), and its lists into ${names.taskLists}`,
      '',
      'events per topic (read / undecodable):',
      ...[...perTopic].map(
        ([name, c]) =>
          `  ${name.padEnd(48)} ${String(c.read).padStart(8)} ${String(c.undecodable).padStart(6)}`,
      ),
      `  ${'applied'.padEnd(48)} ${String(counts.applied).padStart(8)}`,
      `  ${'duplicates (same event id again)'.padEnd(48)} ${String(counts.duplicates).padStart(8)}`,
      `  ${'refused (task of another tenant)'.padEnd(48)} ${String(counts.refused).padStart(8)}`,
      `  ${'skipped (progress that moved nothing)'.padEnd(48)} ${String(counts.skipped).padStart(8)}`,
      '',
      'tasks per final status:',
      ...statuses
        .sort((a, b) => a._id.localeCompare(b._id))
        .map((s) => `  ${s._id.padEnd(48)} ${String(s.count).padStart(8)}`),
      `  ${'total'.padEnd(48)} ${String(statuses.reduce((n, s) => n + s.count, 0)).padStart(8)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await connection.close();
  }
}

/** How many insert commands may be in flight at once (more only slows FerretDB down on two cores). */
const WRITERS = 2;

/**
 * Inserts task documents and rows in chunks of `chunk`, unordered, with at most WRITERS commands in
 * flight; `write` never waits (the events are in memory anyway), `drained` waits for everything.
 * A task written before (`rewrite`) is corrected once every earlier write is done: its stale rows
 * deleted by `_id`, its new rows inserted, its document replaced.
 */
class Writer {
  private readonly docs: TaskDocument[] = [];
  private readonly rows: TaskEventRow[] = [];
  private readonly corrections: TaskWrite[] = [];
  private readonly queue: (() => Promise<unknown>)[] = [];
  private running = 0;
  private failure: Error | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly tasks: mongo.Collection<TaskDocument>,
    private readonly events: mongo.Collection<TaskEventRow>,
    private readonly chunk: number,
    private readonly prepared: Promise<void>,
  ) {}

  write(writes: readonly TaskWrite[]): this {
    for (const write of writes) {
      if (write.rewrite) {
        this.corrections.push(write);
        continue;
      }
      this.docs.push(write.document);
      for (const row of write.rows) this.rows.push(row);
    }
    this.cut(false);
    return this;
  }

  async drained(): Promise<void> {
    this.cut(true);
    await this.prepared;
    await this.settle();
    if (this.corrections.length === 0) return;
    const stale = this.corrections.flatMap((write) => write.stale);
    if (stale.length > 0)
      await this.events.bulkWrite(
        stale.map((_id) => ({ deleteOne: { filter: { _id } } })),
        { ordered: false },
      );
    const rows = this.corrections.flatMap((write) => write.rows);
    if (rows.length > 0) await this.events.insertMany(rows, { ordered: false });
    await this.tasks.bulkWrite(
      this.corrections.map((write) => ({
        replaceOne: { filter: { _id: write.document._id }, replacement: write.document, upsert: true },
      })),
      { ordered: false },
    );
  }

  /** Queues full chunks (and the rest when `all`). */
  private cut(all: boolean): void {
    const limit = all ? 1 : this.chunk;
    while (this.rows.length >= limit) {
      const chunk = this.rows.splice(0, this.chunk);
      this.enqueue(() => this.events.insertMany(chunk, { ordered: false }));
    }
    while (this.docs.length >= limit) {
      const chunk = this.docs.splice(0, this.chunk);
      this.enqueue(() => this.tasks.insertMany(chunk, { ordered: false }));
    }
  }

  private enqueue(job: () => Promise<unknown>): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < WRITERS && this.queue.length > 0 && this.failure === undefined) {
      const job = this.queue.shift()!;
      this.running += 1;
      this.prepared.then(job).then(
        () => {
          this.running -= 1;
          this.pump();
        },
        (error: unknown) => {
          this.running -= 1;
          this.failure ??= error instanceof Error ? error : new Error(String(error));
          this.pump();
        },
      );
    }
    if (this.running === 0 && (this.queue.length === 0 || this.failure !== undefined)) {
      this.idle?.();
      this.idle = undefined;
    }
  }

  private async settle(): Promise<void> {
    if (this.running > 0 || (this.queue.length > 0 && this.failure === undefined))
      await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure !== undefined) throw this.failure;
  }
}

main().then(
  () => process.stdout.write('', () => process.exit(EXIT.ok)),
  (error: unknown) => {
    process.stderr.write(`rebuild-projection: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(exitCodeFor(error));
  },
);

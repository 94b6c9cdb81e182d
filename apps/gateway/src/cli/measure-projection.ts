/**
 * Measures the projection's hot paths against the configured MongoDB-wire store (by default the
 * local stack's FerretDB), in a throwaway database that already holds many tasks:
 *
 *   node scripts/run-ts.mjs apps/gateway/src/cli/measure-projection.ts [--tasks 1000] [--events 3000] [--batch 64] [--reads 50] [--keep]
 *
 * 1. Seeds `--tasks` finished tasks (documents with their timelines, and their `task_events` rows)
 *    directly, without the projection.
 * 2. Projects `--events` events of new tasks through ProjectionApplier, in batches of `--batch`
 *    (what the group commit hands over), interleaved across 32 tasks in flight as live traffic is.
 * 3. Reads `--reads` seeded tasks by id, and their whole event history row by row (by `_id`).
 *
 * Prints events per second and read latencies. Not a test: numbers depend on the machine. It uses
 * only APIs the projection has had since its first version, so it runs unchanged against an older
 * checkout of the gateway for a before/after comparison.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { loadConfigFromProcess } from '@tributary/config';
import { readSample, type TopicKey, TOPICS } from '@tributary/contracts';
import { connectMongo } from '@tributary/platform';
import { tenantId } from '../task/tenant';
import { taskEventModel } from '../read-model/task-event.entity';
import { TaskEventRepository } from '../read-model/task-event.repository';
import { taskModel, toDocument } from '../read-model/task.entity';
import { TaskRepository } from '../read-model/task.repository';
import { ProjectionApplier } from '../read-model/projection/projection-applier';
import { applyEvent } from '../task/reducer';
import { TaskNotifier } from '../read-model/task-notifier';
import { TaskReader } from '../read-model/task-reader';
import { type ProjectedEvent, type TaskState } from '../task/task-state';
import { toProjected } from '../task/to-projected';

interface Args {
  tasks: number;
  events: number;
  batch: number;
  reads: number;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { tasks: 1000, events: 3000, batch: 64, reads: 50, keep: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const number = () => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${arg} needs a non-negative integer`);
      return value;
    };
    if (arg === '--tasks') args.tasks = number();
    else if (arg === '--events') args.events = number();
    else if (arg === '--batch') args.batch = Math.max(1, number());
    else if (arg === '--reads') args.reads = number();
    else if (arg === '--keep') args.keep = true;
    else throw new Error(`unknown argument "${arg}"`);
  }
  return args;
}

const tenant = tenantId('default');
/** A task's events as the agents produce them (eight, like a short real run). */
const LIFECYCLE: readonly TopicKey[] = [
  'taskRequested',
  'taskProgress',
  'taskProgress',
  'taskPlanned',
  'taskProgress',
  'researchCompleted',
  'reviewCompleted',
  'recommendationReady',
];

function lifecycle(taskId: string, start: number): ProjectedEvent[] {
  return LIFECYCLE.map((kind, i) => {
    const sample = readSample(TOPICS[kind]) as Record<string, unknown>;
    const value = {
      ...sample,
      ...(kind === 'taskProgress'
        ? { stage: ['planning', 'planning', 'researching'][i % 3], tokenDelta: null }
        : {}),
      taskId,
      tenantId: tenant,
    };
    const envelope = { eventId: `${taskId}-${i}`, occurredAt: new Date(start + i * 1_000).toISOString() };
    return toProjected(kind, envelope, value as never);
  });
}

function taskIdAt(n: number): string {
  // Ids sort by creation like the gateway's ULIDs; a random tail keeps reruns apart.
  return `tsk_${String(n).padStart(8, '0')}${randomBytes(5).toString('hex').toUpperCase()}`;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfigFromProcess('gateway');
  Logger.overrideLogger(false);
  const uri = new URL(config.mongoUri);
  const database = `measure_projection_${Date.now().toString(36)}`;
  uri.pathname = `/${database}`;
  const mongo = await connectMongo(uri.toString(), config.mongoTimeouts);
  try {
    const tasksModel = taskModel(mongo, 'tasks');
    const eventsModel = taskEventModel(mongo, 'task_events');
    const tasks = new TaskRepository(tasksModel);
    const events = new TaskEventRepository(eventsModel);
    await Promise.all([tasks.ensureIndexes(), events.ensureIndexes()]);

    // 1. Seed finished tasks directly: documents plus rows keyed `<taskId>#<seq>` (extra fields an
    //    older projection ignores), so both versions of the code read the same data.
    const seedStarted = performance.now();
    const seeded: string[] = [];
    const epoch = Date.parse('2026-01-01T00:00:00Z');
    for (let offset = 0; offset < args.tasks; offset += 200) {
      const documents: ReturnType<typeof toDocument>[] = [];
      const rows: Record<string, unknown>[] = [];
      for (let n = offset; n < Math.min(args.tasks, offset + 200); n += 1) {
        const taskId = taskIdAt(n);
        seeded.push(taskId);
        let state: TaskState | null = null;
        for (const event of lifecycle(taskId, epoch + n * 60_000)) {
          const outcome = applyEvent(state, event);
          if (outcome.kind !== 'applied') continue;
          state = outcome.state;
          rows.push({
            _id: `${taskId}#${String(outcome.entry.seq).padStart(10, '0')}`,
            tenantId: tenant,
            taskId,
            ...outcome.entry,
            kind: event.kind,
            value: event.value,
          });
        }
        documents.push(toDocument(state!));
      }
      await tasksModel.collection.insertMany(documents as never[]);
      await eventsModel.collection.insertMany(rows);
    }
    const seedMs = performance.now() - seedStarted;

    // 2. Project new tasks' events, interleaved across tasks in flight, in group-commit batches.
    const perTask = LIFECYCLE.length;
    const fresh = Array.from({ length: Math.ceil(args.events / perTask) }, (_, i) =>
      lifecycle(taskIdAt(args.tasks + i), epoch + (args.tasks + i) * 60_000),
    );
    const stream: ProjectedEvent[] = [];
    const inFlight = 32;
    for (let start = 0; start < fresh.length; start += inFlight) {
      const group = fresh.slice(start, start + inFlight);
      for (let step = 0; step < perTask; step += 1) for (const task of group) stream.push(task[step]!);
    }
    stream.length = Math.min(stream.length, args.events);
    const applier = new ProjectionApplier(tasks, events, new TaskNotifier());
    const batchMs: number[] = [];
    const projectStarted = performance.now();
    for (let i = 0; i < stream.length; i += args.batch) {
      const started = performance.now();
      await applier.apply(stream.slice(i, i + args.batch));
      batchMs.push(performance.now() - started);
    }
    const projectMs = performance.now() - projectStarted;

    // 3. Reads of seeded tasks: the document by id, and the whole history row by row.
    const readMs: number[] = [];
    const historyMs: number[] = [];
    const picks = Array.from({ length: args.reads }, (_, i) => seeded[(i * 7919) % seeded.length]!);
    const reader = new TaskReader(tasks, events);
    for (const taskId of picks) {
      let started = performance.now();
      if ((await tasks.findById(tenant, taskId)) === null) throw new Error(`task ${taskId} not found`);
      readMs.push(performance.now() - started);
      started = performance.now();
      const history = await reader.rollForward(null, taskId);
      historyMs.push(performance.now() - started);
      if (history?.version !== perTask) throw new Error(`history of ${taskId}: ${history?.version} events`);
    }

    const f = (ms: number) => ms.toFixed(1);
    const lines = [
      `store ${uri.host}, database ${database}`,
      `seeded ${args.tasks} tasks (${args.tasks * perTask} events) in ${Math.round(seedMs)} ms`,
      `projected ${stream.length} events of ${fresh.length} new tasks in ${stream.length === 0 ? 0 : Math.ceil(stream.length / args.batch)} batches of ${args.batch}: ` +
        `${Math.round(projectMs)} ms, ${(stream.length / (projectMs / 1000)).toFixed(1)} events/s ` +
        `(batch p50 ${f(percentile(batchMs, 50))} ms, p95 ${f(percentile(batchMs, 95))} ms)`,
      `task read by id: p50 ${f(percentile(readMs, 50))} ms, p95 ${f(percentile(readMs, 95))} ms (${readMs.length} reads)`,
      `event history by _id (${perTask} rows): p50 ${f(percentile(historyMs, 50))} ms, p95 ${f(percentile(historyMs, 95))} ms`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!args.keep) await mongo.dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `measure-projection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

/**
 * Rebuilds the gateway's read model from the topics into fresh collections:
 *
 *   node scripts/run-ts.mjs apps/gateway/src/cli/rebuild-projection.ts --into <suffix> [--replace] [--batch 500] [--since <ISO instant>]
 *
 * Reads every task topic from its earliest kept record to its end at the time of the read (the
 * runtime's readRange: a throwaway group, nothing committed, no consumer disturbed), orders the
 * events by the time they happened, and applies them with the same reducer and applier as the live
 * projection into `tasks_<suffix>` and `task_events_<suffix>`. Prints counts per topic and per final
 * status, and the time taken. The live collections are not touched; switch over by renaming.
 *
 * The events are held in memory between reading and applying (sorting needs them all): fine for
 * millions of small events, not for an unbounded history.
 *
 * `--since` reads only records written at or after an instant: a partial read model (tasks begun
 * earlier lack their first events), for looking at recent traffic and for tests.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigFromProcess } from '@tributary/config';
import { type TopicKey, TOPICS } from '@tributary/contracts';
import { createKafkaClient, readRange, RegistrySerializer } from '@tributary/kafka';
import { connectMongo, JsonLogger } from '@tributary/platform';
import { collectionNames } from '../persistence/collections';
import { taskEventModel } from '../persistence/task-event.entity';
import { TaskEventRepository } from '../persistence/task-event.repository';
import { taskModel } from '../persistence/task.entity';
import { TaskRepository } from '../persistence/task.repository';
import { ProjectionApplier } from '../projection/projection-applier';
import { TaskNotifier } from '../projection/task-notifier';
import { type ProjectedEvent } from '../projection/task-state';
import { toProjected } from '../projection/to-projected';

interface Args {
  into: string;
  replace: boolean;
  batch: number;
  since: Date | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { into: '', replace: false, batch: 500, since: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--into') args.into = argv[++i] ?? '';
    else if (arg === '--replace') args.replace = true;
    else if (arg === '--batch') args.batch = Number(argv[++i]);
    else if (arg === '--since') {
      const text = argv[++i] ?? '';
      args.since = new Date(text);
      if (Number.isNaN(args.since.getTime()))
        throw new Error(`--since must be an ISO-8601 instant, got "${text}"`);
    } else throw new Error(`unknown argument "${arg}"`);
  }
  if (args.into === '')
    throw new Error(
      'usage: rebuild-projection --into <collection-suffix> [--replace] [--batch <n>] [--since <ISO instant>]',
    );
  if (!Number.isInteger(args.batch) || args.batch < 1) throw new Error('--batch must be a positive integer');
  return args;
}

interface TopicCount {
  read: number;
  undecodable: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const names = collectionNames(args.into);
  const config = loadConfigFromProcess('gateway');
  Logger.overrideLogger(new JsonLogger('rebuild-projection', config.logLevel === 'debug' ? 'debug' : 'warn'));
  const started = performance.now();

  const mongo = await connectMongo(config.mongoUri);
  const kafka = createKafkaClient(config, { clientId: `${config.kafka.clientId}-rebuild` });
  const serializer = new RegistrySerializer({
    registryUrl: config.registryUrl,
    clientId: config.kafka.clientId,
  });
  try {
    const tasksModel = taskModel(mongo, names.tasks);
    const eventsModel = taskEventModel(mongo, names.taskEvents);
    const existing =
      (await tasksModel.estimatedDocumentCount()) + (await eventsModel.estimatedDocumentCount());
    if (existing > 0) {
      if (!args.replace)
        throw new Error(
          `${names.tasks} / ${names.taskEvents} are not empty; pass --replace to drop them first`,
        );
      await Promise.all([
        tasksModel.collection.drop().catch(() => undefined),
        eventsModel.collection.drop().catch(() => undefined),
      ]);
    }
    const tasks = new TaskRepository(tasksModel);
    const events = new TaskEventRepository(eventsModel);
    await Promise.all([tasks.ensureIndexes(), events.ensureIndexes()]);
    const applier = new ProjectionApplier(tasks, events, new TaskNotifier());

    const perTopic = new Map<string, TopicCount>();
    const readTopic = async (kind: TopicKey): Promise<ProjectedEvent[]> => {
      const topic = TOPICS[kind];
      const count: TopicCount = { read: 0, undecodable: 0 };
      perTopic.set(topic.name, count);
      const out: ProjectedEvent[] = [];
      for await (const record of readRange({
        kafka,
        serializer,
        topic,
        ...(args.since ? { fromTime: args.since } : {}),
      })) {
        count.read += 1;
        if (!record.ok || record.envelope === undefined) {
          count.undecodable += 1;
          continue;
        }
        out.push(toProjected(kind, record.envelope, record.value));
      }
      return out;
    };
    const all = (await Promise.all((Object.keys(TOPICS) as TopicKey[]).map(readTopic))).flat();
    const readMs = Math.round(performance.now() - started);
    // Time order (ties by event id, so a rerun assigns the same seqs): the timeline reads as it happened.
    all.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.eventId.localeCompare(b.eventId));

    let applied = 0;
    let duplicates = 0;
    let refused = 0;
    for (let i = 0; i < all.length; i += args.batch) {
      const report = await applier.apply(all.slice(i, i + args.batch));
      applied += report.applied;
      duplicates += report.duplicates;
      refused += report.refused.length;
    }

    const statuses = await tasksModel
      .aggregate<{ _id: string; count: number }>([{ $group: { _id: '$status', count: { $sum: 1 } } }])
      .exec();
    const totalMs = Math.round(performance.now() - started);
    const lines = [
      `rebuilt the read model into ${names.tasks} and ${names.taskEvents} in ${totalMs} ms (reading ${readMs} ms)`,
      '',
      'events per topic (read / undecodable):',
      ...[...perTopic].map(
        ([name, c]) =>
          `  ${name.padEnd(48)} ${String(c.read).padStart(8)} ${String(c.undecodable).padStart(6)}`,
      ),
      `  ${'applied'.padEnd(48)} ${String(applied).padStart(8)}`,
      `  ${'duplicates (same event id again)'.padEnd(48)} ${String(duplicates).padStart(8)}`,
      `  ${'refused (task of another tenant)'.padEnd(48)} ${String(refused).padStart(8)}`,
      '',
      'tasks per final status:',
      ...statuses
        .sort((a, b) => a._id.localeCompare(b._id))
        .map((s) => `  ${s._id.padEnd(48)} ${String(s.count).padStart(8)}`),
      `  ${'total'.padEnd(48)} ${String(statuses.reduce((n, s) => n + s.count, 0)).padStart(8)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await mongo.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild-projection: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

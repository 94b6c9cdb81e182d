import { readCallRecords } from '@tributary/agent';
import { connectMongo } from '@tributary/platform';
import { EXIT, type ExitCode, NotFoundError } from '@tributary/terminal';
import { type Command } from 'commander';
import { type ActionRunner } from '../action';
import { type CommandContext } from '../context';
import { instant, list } from '../options';
import { creationTime, readTaskRecords, SHIPPED_GROUPS } from './read-task-records';
import { renderStory } from './render-story';
import { buildStory, type JournalRecord } from './task-story';

interface TraceOptions {
  namespace: string;
  group?: string[];
  since?: Date;
  journal: boolean;
}

/** How long before a task id's creation time the read starts: producers' clocks drift. */
const CLOCK_SLACK_MS = 5 * 60_000;

export function registerTaskCommands(program: Command, runner: ActionRunner): void {
  const task = program.command('task').description('one task, from the topics');
  task
    .command('trace')
    .description(
      "a task's story from the topics, not the read model: every event with its producer and offsets, " +
        'arranged by causation, with the time since its cause; events written twice (a step run again after ' +
        'a crash or a redrive); its retries and dead letters; the LLM and tool calls each step listed, looked ' +
        'up in the call journal (called, or served from the journal; the tokens the model counted); and how it ended',
    )
    .argument('<taskId>', 'the task id (the record key of its events)')
    .option('--namespace <ns>', 'the topics of this namespace (<ns>.<topic>), e.g. a replay', '')
    .option(
      '--group <names...>',
      `consumer groups whose retry and dead-letter topics to read, besides ${SHIPPED_GROUPS.join(', ')}`,
      list,
    )
    .option(
      '--since <instant>',
      'read records written from this ISO-8601 instant; default: a few minutes before the creation time in a tsk_<ULID> id, else everything',
      instant,
    )
    .option('--no-journal', 'do not look the calls up in the call journal (the store)')
    .addHelpText(
      'after',
      '\nExamples:\n  npx tributary task trace tsk_01J…\n  npx tributary task trace tsk_01J… --json | jq .calls',
    )
    .action(runner.run(trace));
}

async function trace(ctx: CommandContext, options: TraceOptions, args: readonly string[]): Promise<ExitCode> {
  const taskId = args[0]!;
  const created = creationTime(taskId);
  const since = options.since ?? (created ? new Date(created.getTime() - CLOCK_SLACK_MS) : undefined);
  const records = await readTaskRecords({
    kafka: ctx.kafka,
    serializer: ctx.serializer,
    taskId,
    namespace: options.namespace,
    groups: [...SHIPPED_GROUPS, ...(options.group ?? [])],
    since,
    progress: ctx.progress(),
    signal: ctx.signal,
  });
  if (ctx.signal.aborted) return EXIT.interrupted;
  if (records.events.length === 0 && records.failures.length === 0)
    throw new NotFoundError(
      `no events of task ${taskId} on the topics${since ? ` since ${since.toISOString()}` : ''}` +
        (options.namespace ? ` of namespace ${options.namespace}` : ''),
    );

  const keys = records.events.flatMap((event) => event.calls.map((call) => call.key));
  const { journal, journalNote } = await lookUpCalls(ctx, keys, options.journal);
  const story = buildStory(taskId, records.events, records.failures, journal);
  if (ctx.globals.json) {
    ctx.printJson({ ...story, journal: journalNote, since: since?.toISOString() ?? null });
    return EXIT.ok;
  }
  ctx.print(renderStory(story));
  if (journalNote !== 'read') ctx.print(`\n(call journal ${journalNote})`);
  return EXIT.ok;
}

/** The journal records of the calls; a store that cannot be reached leaves the story without them. */
async function lookUpCalls(
  ctx: CommandContext,
  keys: readonly string[],
  wanted: boolean,
): Promise<{ journal: Map<string, JournalRecord>; journalNote: string }> {
  const journal = new Map<string, JournalRecord>();
  if (!wanted) return { journal, journalNote: 'not read (--no-journal)' };
  if (keys.length === 0) return { journal, journalNote: 'read' };
  let connection;
  try {
    connection = await connectMongo(ctx.config.mongoUri, ctx.config.mongoTimeouts);
    for (const [key, record] of await readCallRecords(connection, keys))
      journal.set(key, {
        agent: record.agent,
        createdAt: record.createdAt.getTime(),
        taskId: record.taskId,
        durationMs: record.durationMs,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        resultSize: record.resultSize,
      });
    return { journal, journalNote: 'read' };
  } catch (error) {
    return {
      journal,
      journalNote: `unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    await connection?.close();
  }
}

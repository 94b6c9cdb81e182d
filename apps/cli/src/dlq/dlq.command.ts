import { CONSUMER_GROUPS, HEADERS, headerString } from '@tributary/contracts';
import { redrive, redriveGroup, type RedriveRecord } from '@tributary/kafka';
import { EXIT, type ExitCode, NotFoundError } from '@tributary/terminal';
import { type Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { type CommandContext } from '../context';
import { firstLine, table } from '../output';
import { list, nonNegativeInt, positiveInt } from '../options';
import { type ActionRunner } from '../action';
import { type DeadLetter, decodeDeadLetter, readDeadLetters } from './dead-letters';
import { listDeadLetters } from './list-dead-letters';

const ALL_GROUPS: readonly string[] = Object.values(CONSUMER_GROUPS);

interface ListOptions {
  group?: string[];
}

interface ShowOptions {
  group: string;
  partition?: number;
  offset?: number;
  eventId?: string;
  task?: string;
  waiting: boolean;
  limit: number;
}

interface RedriveOptions {
  group: string;
  dryRun: boolean;
  originTopic?: string;
  errorClass?: string;
  eventId?: string;
  limit?: number;
}

export function registerDlqCommands(program: Command, runner: ActionRunner): void {
  const dlq = program
    .command('dlq')
    .description(
      'dead letters: messages a consumer group could not handle, with the reason, and their redrive',
    );

  dlq
    .command('list')
    .description(
      "count each group's dead letters by reason (origin topic, error class, message), waiting and redriven",
    )
    .option(
      '--group <name...>',
      `consumer groups (repeat or comma-separate); default: ${ALL_GROUPS.join(', ')}`,
      list,
    )
    .addHelpText('after', '\nExample:\n  npx tributary dlq list --group research-agent')
    .action(runner.run(listCommand));

  dlq
    .command('show')
    .description(
      'print dead letters of a group in full: where from, why, attempts, envelope and decoded value',
    )
    .requiredOption('--group <name>', 'the consumer group')
    .option('--partition <n>', 'only this partition of the dead-letter topic', nonNegativeInt)
    .option('--offset <n>', 'only the letter at this offset (with --partition)', nonNegativeInt)
    .option('--event-id <id>', 'only the letter of this event')
    .option('--task <taskId>', 'only letters of this task')
    .option('--waiting', 'only letters no redrive has moved back', false)
    .option('--limit <n>', 'print at most this many', positiveInt, 20)
    .addHelpText(
      'after',
      '\nExample:\n  npx tributary dlq show --group research-agent --task tsk_01J… --json',
    )
    .action(runner.run(showCommand));

  dlq
    .command('redrive')
    .description(
      "copy dead letters of a group into that group's own retry topic (only the failing group handles them " +
        'again, as attempt 1 of their origin topic; other groups on the origin topic do not see them); ' +
        'never moves a letter twice (position kept in the consumer group <group>.redrive)',
    )
    .requiredOption('--group <name>', 'the consumer group whose dead letters move')
    .option('--dry-run', 'print what would move; move nothing, remember nothing', false)
    .option('--origin-topic <topic>', 'only letters from this topic')
    .option('--error-class <class>', 'only letters whose last error had this class, e.g. RetriableError')
    .option('--event-id <id>', 'only the letter of this event')
    .option('--limit <n>', 'move at most this many', positiveInt)
    .addHelpText(
      'after',
      '\nExample:\n  npx tributary dlq redrive --group research-agent --error-class RetriableError --dry-run',
    )
    .action(runner.run(redriveCommand));
}

async function listCommand(ctx: CommandContext, options: ListOptions): Promise<ExitCode> {
  const groups = options.group && options.group.length > 0 ? options.group : ALL_GROUPS;
  const result = await listDeadLetters({
    kafka: ctx.kafka,
    groups,
    progress: ctx.progress(),
    signal: ctx.signal,
  });
  if (ctx.signal.aborted) return EXIT.interrupted;
  if (ctx.globals.json) {
    ctx.printJson({ groups: result });
    return EXIT.ok;
  }
  ctx.print(
    table(
      ['group', 'dead letters', 'waiting', 'redriven'],
      result.map((g) => [g.group, g.total, g.waiting, g.redriven]),
    ),
  );
  for (const group of result.filter((g) => g.total > 0)) {
    ctx.print(`\n${group.group} (${group.topic}), by reason:`);
    ctx.print(
      table(
        ['count', 'waiting', 'origin topic', 'error', 'last failure'],
        group.reasons.map((r) => [
          r.count,
          r.waiting,
          r.originTopic,
          `${r.errorClass}: ${firstLine(r.errorMessage, 80)}`,
          r.lastFailureAt,
        ]),
      ),
    );
  }
  return EXIT.ok;
}

function matchesShow(letter: DeadLetter, options: ShowOptions): boolean {
  if (options.partition !== undefined && letter.partition !== options.partition) return false;
  if (options.offset !== undefined && Number(letter.offset) !== options.offset) return false;
  if (
    options.eventId !== undefined &&
    headerString(letter.message.headers, HEADERS.eventId) !== options.eventId
  )
    return false;
  if (
    options.task !== undefined &&
    letter.key !== options.task &&
    letter.envelope?.correlationId !== options.task
  )
    return false;
  if (options.waiting && letter.redriven) return false;
  return true;
}

async function showCommand(ctx: CommandContext, options: ShowOptions): Promise<ExitCode> {
  const progress = ctx.progress();
  const shown: Record<string, unknown>[] = [];
  for await (const letter of readDeadLetters({
    kafka: ctx.kafka,
    group: options.group,
    signal: ctx.signal,
    onPlan: (count) => progress.start('reading', count),
    onScanned: (count) => progress.advance(count),
  })) {
    if (!matchesShow(letter, options)) continue;
    const decoded = await decodeDeadLetter(ctx.serializer, letter);
    shown.push({
      deadLetter: { topic: letter.topic, partition: letter.partition, offset: letter.offset },
      deadLetteredAt: letter.deadLetteredAt,
      key: letter.key,
      redriven: letter.redriven,
      failure: letter.failure ?? null,
      envelope: letter.envelope ?? null,
      ...(decoded.ok ? { value: decoded.value } : { undecodable: decoded.reason }),
    });
    if (shown.length >= options.limit) break;
  }
  progress.stop();
  if (ctx.signal.aborted) return EXIT.interrupted;
  if (ctx.globals.json) ctx.printJson({ group: options.group, deadLetters: shown });
  else if (shown.length > 0) ctx.print(shown.map((letter) => JSON.stringify(letter, null, 2)).join('\n\n'));
  if (shown.length === 0) throw new NotFoundError(`no dead letter of ${options.group} matches`);
  return EXIT.ok;
}

function describe(record: RedriveRecord): string {
  const { deadLetter: d } = record;
  return [
    `${d.topic}/${d.partition}/${d.offset}`,
    `→ ${record.movedTo} (origin ${record.originTopic}/${record.originPartition}/${record.originOffset})`,
    `event ${record.eventId ?? '-'}`,
    `${record.errorClass} after ${record.attempts} attempt(s): ${firstLine(record.errorMessage, 200)}`,
  ].join('  ');
}

async function redriveCommand(ctx: CommandContext, options: RedriveOptions): Promise<ExitCode> {
  const { kafka } = ctx;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  if (!options.dryRun) await producer.connect();
  try {
    const result = await redrive({
      kafka,
      producer: { send: (record) => producer.send({ acks: -1, ...record }) },
      group: options.group,
      dryRun: options.dryRun,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      filter: {
        ...(options.originTopic ? { originTopic: options.originTopic } : {}),
        ...(options.errorClass ? { errorClass: options.errorClass } : {}),
        ...(options.eventId ? { eventId: options.eventId } : {}),
      },
      onRecord: (record) => {
        if (!ctx.globals.json) ctx.print(`${options.dryRun ? 'would move' : 'moved'}  ${describe(record)}`);
      },
    });
    if (ctx.globals.json) {
      ctx.printJson({
        group: options.group,
        dryRun: result.dryRun,
        moved: result.records,
        skipped: result.skipped,
        alreadyMoved: result.alreadyMoved,
        positionGroup: redriveGroup(options.group),
      });
    } else {
      ctx.print(
        `${options.dryRun ? 'dry run: would move' : 'moved'} ${result.records.length} dead letter(s) of ${options.group}; ` +
          `${result.skipped} did not match the filter and stay; ${result.alreadyMoved} were moved by an earlier redrive` +
          (options.dryRun ? '' : ` (position kept in consumer group ${redriveGroup(options.group)})`),
      );
    }
    return EXIT.ok;
  } finally {
    if (!options.dryRun) await producer.disconnect();
  }
}

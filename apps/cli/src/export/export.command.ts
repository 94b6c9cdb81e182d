import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { ALL_TOPICS, type TopicDefinition } from '@tributary/contracts';
import { EXIT, type ExitCode, formatCount, NotFoundError, UsageError } from '@tributary/terminal';
import { type Command, Option } from 'commander';
import { type ActionRunner } from '../action';
import { type CommandContext } from '../context';
import { instant, list, nonNegativeInt, positiveInt } from '../options';
import { table } from '../output';
import { topicFromSpec } from '../topics';
import { exportEvents, type ExportSummary } from './export-events';
import { loadIntoDuckDb, tableName } from './duckdb';
import { EXPORT_FORMATS, type ExportFormat, openSink, TeeSink } from './sinks';

interface ExportCommandOptions {
  topic?: string[];
  namespace: string;
  from?: Date;
  to?: Date;
  fromOffset?: number;
  toOffset?: number;
  partition?: string[];
  tenant?: string[];
  task?: string[];
  eventType?: string[];
  format?: ExportFormat;
  output?: string;
  rowGroup: number;
  duckdb?: string;
  table: string;
}

export function registerEventsCommands(program: Command, runner: ActionRunner): void {
  const events = program.command('events').description('the events on the topics');
  events
    .command('export')
    .description(
      'decode topics over a range into JSONL, CSV or Parquet, streaming (memory does not grow with the range); ' +
        'envelope headers (event id, causation, tenant, trace context…) become columns, the value is JSON. ' +
        'Ends with a summary: records per topic, and the undecodable ones with why.',
    )
    .option(
      '--topic <names...>',
      'topics: full, short (task.requested) or catalogue key; default every catalogue topic',
      list,
    )
    .option('--namespace <ns>', 'read the topics of this namespace (<ns>.<topic>), e.g. a replay', '')
    .option('--from <instant>', 'records written at or after this ISO-8601 instant', instant)
    .option('--to <instant>', 'records written before this ISO-8601 instant', instant)
    .option('--from-offset <n>', 'first offset (inclusive) in every partition', nonNegativeInt)
    .option('--to-offset <n>', 'last offset (inclusive) in every partition', nonNegativeInt)
    .option('--partition <n...>', 'only these partitions', list)
    .option('--tenant <ids...>', 'only events of these tenants (tenantId header)', list)
    .option(
      '--task <ids...>',
      'only events of these tasks (the record key; others are skipped undecoded)',
      list,
    )
    .option(
      '--event-type <types...>',
      'only these event types (eventType header; names as for --topic)',
      list,
    )
    .addOption(
      new Option(
        '--format <format>',
        'output format; default: from the --output extension, else jsonl',
      ).choices(EXPORT_FORMATS),
    )
    .option(
      '-o, --output <file>',
      'write to this file (Parquet needs one); default stdout, with the summary on stderr',
    )
    .option(
      '--row-group <rows>',
      'Parquet rows per row group (fewer if the values are large)',
      positiveInt,
      10_000,
    )
    .option(
      '--duckdb <file>',
      'also load the export into this DuckDB database file, as a table (value typed JSON); without --output, only there',
    )
    .option('--table <name>', 'the DuckDB table (replaced if it exists)', 'events')
    .addHelpText(
      'after',
      `
Time and offset bounds combine: the later start and the earlier end win, per partition.

Examples:
  npx tributary events export --from 2025-01-31T00:00:00Z -o january31.parquet
  npx tributary events export --topic task.requested,recommendation.ready --tenant acme > acme.jsonl
  npx tributary events export --task tsk_01J… --format csv -o task.csv
  npx tributary events export --from 2025-01-31T00:00:00Z --duckdb tributary.duckdb   # then: duckdb tributary.duckdb`,
    )
    .action(runner.run(exportCommand));
}

async function missingTopics(ctx: CommandContext, topics: readonly TopicDefinition[]): Promise<string[]> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return topics.map((t) => t.name).filter((name) => !existing.has(name));
  } finally {
    await admin.disconnect();
  }
}

function formatOf(options: ExportCommandOptions): ExportFormat {
  if (options.format) return options.format;
  const extension = options.output ? extname(options.output).slice(1).toLowerCase() : '';
  if (extension === 'csv') return 'csv';
  if (extension === 'parquet' || extension === 'pq') return 'parquet';
  return 'jsonl';
}

async function exportCommand(ctx: CommandContext, options: ExportCommandOptions): Promise<ExitCode> {
  const format = formatOf(options);
  if (format === 'parquet' && options.output === undefined)
    throw new UsageError('Parquet is written to a file: give --output <file>');
  if (options.from && options.to && options.from >= options.to)
    throw new UsageError('--from must be before --to');
  const topics: TopicDefinition[] = (options.topic ?? ALL_TOPICS.map((t) => t.name)).map((spec) =>
    topicFromSpec(spec, options.namespace),
  );
  const partitions = options.partition?.map((p) => nonNegativeInt(p));
  // Every catalogue topic by default, of which a namespace may lack some; topics named must exist.
  const missing = await missingTopics(ctx, topics);
  if (options.topic && missing.length > 0) throw new NotFoundError(`no such topic: ${missing.join(', ')}`);
  if (missing.length === topics.length)
    throw new NotFoundError(
      `none of the topics exist${options.namespace ? ` in namespace ${options.namespace}` : ''}`,
    );
  const table = tableName(options.table);
  // DuckDB loads a Parquet file: the output itself when it is one, else one written beside it.
  const scratch = options.duckdb !== undefined && !(format === 'parquet' && options.output !== undefined);
  const scratchDir = scratch ? mkdtempSync(join(tmpdir(), 'tributary-duckdb-')) : undefined;
  const parquetForDuckDb = scratchDir ? join(scratchDir, 'events.parquet') : options.output;
  const sinks = [
    ...(options.output !== undefined || options.duckdb === undefined
      ? [await openSink(format, options.output, ctx.host.stdout, { rowGroupRows: options.rowGroup })]
      : []),
    ...(scratch
      ? [await openSink('parquet', parquetForDuckDb, ctx.host.stdout, { rowGroupRows: options.rowGroup })]
      : []),
  ];
  const sink = sinks.length === 1 ? sinks[0]! : new TeeSink(sinks);
  const summary = await exportEvents({
    kafka: ctx.kafka,
    serializer: ctx.serializer,
    topics,
    range: {
      ...(options.from ? { fromTime: options.from } : {}),
      ...(options.to ? { toTime: options.to } : {}),
      ...(options.fromOffset !== undefined ? { fromOffset: options.fromOffset } : {}),
      ...(options.toOffset !== undefined ? { toOffset: options.toOffset } : {}),
      ...(partitions ? { partitions } : {}),
    },
    filter: {
      ...(options.tenant ? { tenants: new Set(options.tenant) } : {}),
      ...(options.task ? { tasks: new Set(options.task) } : {}),
      ...(options.eventType
        ? { eventTypes: new Set(options.eventType.map((spec) => topicFromSpec(spec).name)) }
        : {}),
    },
    sink,
    missing,
    progress: ctx.progress(),
    signal: ctx.signal,
  });
  let duckdb: { file: string; table: string; rows: number } | undefined;
  try {
    if (options.duckdb !== undefined && !summary.interrupted)
      duckdb = {
        file: options.duckdb,
        table,
        rows: await loadIntoDuckDb(parquetForDuckDb!, options.duckdb, table),
      };
  } finally {
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  }
  report(
    ctx,
    { ...summary, duckdb },
    {
      format,
      output: options.output,
      toStdout: sinks.length > 0 && options.output === undefined && options.duckdb === undefined,
    },
  );
  if (summary.interrupted) return EXIT.interrupted;
  return summary.undecodable > 0 ? EXIT.incomplete : EXIT.ok;
}

/** The summary goes to stdout, unless the data went there: then to stderr. */
function report(
  ctx: CommandContext,
  summary: ExportSummary & { readonly duckdb: { file: string; table: string; rows: number } | undefined },
  where: { readonly format: ExportFormat; readonly output: string | undefined; readonly toStdout: boolean },
): void {
  const out = where.toStdout ? ctx.host.stderr : ctx.host.stdout;
  if (ctx.globals.json) {
    out.write(
      `${JSON.stringify({ format: where.format, output: where.output ?? null, ...summary, duckdb: summary.duckdb ?? null })}\n`,
    );
    return;
  }
  const lines = [
    `exported ${formatCount(summary.exported)} record(s)` +
      (where.output !== undefined || where.toStdout
        ? ` as ${where.format} to ${where.output ?? 'stdout'}`
        : '') +
      ' ' +
      `in ${(summary.elapsedMs / 1000).toFixed(1)} s (${formatCount(summary.eventsPerSecond)}/s; peak RSS ` +
      `${Math.round(summary.maxRssBytes / 1024 / 1024)} MB)` +
      (summary.filteredOut > 0
        ? `; ${formatCount(summary.filteredOut)} read and left out by the filters`
        : '') +
      (summary.interrupted ? '; INTERRUPTED before the end of the range' : ''),
    '',
    table(
      ['topic', 'read', 'exported', 'undecodable'],
      Object.entries(summary.topics).map(([topic, c]) => [topic, c.read, c.exported, c.undecodable]),
    ),
  ];
  if (summary.duckdb)
    lines.push(
      '',
      `loaded ${formatCount(summary.duckdb.rows)} row(s) into table ${summary.duckdb.table} of ${summary.duckdb.file}`,
    );
  if (summary.missingTopics.length > 0)
    lines.push('', `not there (never written to): ${summary.missingTopics.join(', ')}`);
  if (summary.undecodable > 0) {
    lines.push(
      '',
      `undecodable records (${formatCount(summary.undecodable)}), exported with value null and decode_error:`,
    );
    for (const reason of summary.undecodableReasons)
      lines.push(
        `  ${String(reason.count).padStart(6)}  ${reason.reason}  (e.g. ${reason.examples.join(', ')})`,
      );
  }
  out.write(`${lines.join('\n')}\n`);
}

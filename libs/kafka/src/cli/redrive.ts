/**
 * Moves dead letters of a consumer group back into that group's retry topic (only the group that
 * failed sees them again; other groups on the origin topic do not).
 *
 *   node scripts/run-ts.mjs libs/kafka/src/cli/redrive.ts --group planner-agent [--dry-run]
 *        [--origin-topic <topic>] [--error-class <class>] [--event-id <id>] [--limit <n>]
 *
 * Brokers come from the usual TRIBUTARY_* variables. See docs/runtime.md, "Redrive".
 */
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { loadConfigFromProcess } from '@tributary/config';
import { logLevel, Partitioners } from 'kafkajs';
import { createKafkaClient } from '../client';
import { type RawProducer } from '../producer';
import { redrive, redriveGroup, type RedriveRecord } from '../redrive';

const USAGE =
  'usage: redrive --group <consumer group> [--dry-run] [--origin-topic <topic>] [--error-class <class>] [--event-id <id>] [--limit <n>]';

function describe(record: RedriveRecord): string {
  const { deadLetter: d } = record;
  return [
    `${d.topic}/${d.partition}/${d.offset}`,
    `→ ${record.movedTo} (origin ${record.originTopic}/${record.originPartition}/${record.originOffset})`,
    `event ${record.eventId ?? '-'}`,
    `${record.errorClass} after ${record.attempts} attempt(s): ${record.errorMessage}`,
  ].join('  ');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      group: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'origin-topic': { type: 'string' },
      'error-class': { type: 'string' },
      'event-id': { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.group) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    console.error(`--limit must be a positive integer, got "${values.limit}"\n${USAGE}`);
    return 2;
  }
  const config = loadConfigFromProcess('gateway');
  const kafka = createKafkaClient(config, {
    clientId: `tributary-redrive`,
    logLevel: logLevel.WARN,
    logger: new Logger('redrive'),
  });
  const dryRun = values['dry-run'];
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const raw: RawProducer = { send: (record) => producer.send({ acks: -1, ...record }) };
  if (!dryRun) await producer.connect();
  try {
    const result = await redrive({
      kafka,
      producer: raw,
      group: values.group,
      dryRun,
      ...(limit === undefined ? {} : { limit }),
      filter: {
        ...(values['origin-topic'] ? { originTopic: values['origin-topic'] } : {}),
        ...(values['error-class'] ? { errorClass: values['error-class'] } : {}),
        ...(values['event-id'] ? { eventId: values['event-id'] } : {}),
      },
      onRecord: (record) => console.log(`${dryRun ? 'would move' : 'moved'}  ${describe(record)}`),
    });
    console.log(
      `${dryRun ? 'dry run: would move' : 'moved'} ${result.records.length} dead letter(s) of ${values.group}; ` +
        `${result.skipped} did not match the filter and stay; ${result.alreadyMoved} were moved by an earlier redrive` +
        (dryRun ? '' : ` (position kept in consumer group ${redriveGroup(values.group)})`),
    );
    return 0;
  } finally {
    if (!dryRun) await producer.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

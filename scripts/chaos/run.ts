/**
 * `npm run chaos`: load at a fixed rate through the public API while, one after another, each
 * service is SIGKILLed and started again, the Kafka broker is SIGKILLed and started again, the store
 * is frozen for three minutes and the schema registry is stopped; then the load stops, every task
 * is given time to end, and the run prints what a user would ask of it: tasks submitted, completed,
 * failed with each reason, still open, terminal states recorded more than once, HTTP 5xx, and dead
 * letters per consumer group.
 *
 * Starts what it needs like `npm run bench`: the local stack, the four built services (offline
 * tools, an LLM simulator answering after `--llm-delay-ms` so that tasks are in flight when the
 * faults hit) on a database of its own. A script, not a test: it takes about ten minutes.
 *
 *   npm run chaos [-- --rate 2 --freeze-seconds 180 --down-seconds 10 --settle-seconds 20]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataFiles, loadData } from '@tributary/catalogue';
import { loadConfigFromProcess, type TributaryConfig } from '@tributary/config';
import { CONSUMER_GROUPS, deadLetterTopic, TOPICS } from '@tributary/contracts';
import { createKafkaClient, createRegistrySerializer, readRanges } from '@tributary/kafka';
import { connectMongo } from '@tributary/platform';
import { type Kafka, logLevel } from 'kafkajs';
import { GROUPS, resetGroups } from '../../bench/lib/groups';
import { findRoot, loadBuild, loadStack } from '../../bench/lib/project';
import { AGENTS, ServiceSet } from '../../bench/lib/services';
import { assertGroupsIdle } from '../../test/support/groups';
import { LlmSimulator } from '../../test/support/llm-simulator';
import { ChaosClient, type SubmittedTask } from './load';
import { type ChaosStack, type Fault, freezeStore, killBroker, killService, stopRegistry } from './faults';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2' },
    'freeze-seconds': { type: 'string', default: '180' },
    'down-seconds': { type: 'string', default: '10' },
    'settle-seconds': { type: 'string', default: '20' },
    'drain-seconds': { type: 'string', default: '300' },
    'llm-delay-ms': { type: 'string', default: '300' },
    help: { type: 'boolean', default: false },
  },
});

function seconds(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const log = (line: string): void => {
  process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<number> {
  if (args.help) {
    process.stdout.write(
      'usage: npm run chaos [-- --rate <tasks/s> --freeze-seconds <s> --down-seconds <s> --settle-seconds <s> --drain-seconds <s> --llm-delay-ms <ms>]\n',
    );
    return 0;
  }
  const rate = seconds('rate');
  const root = findRoot();
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15).toLowerCase();
  const logDir = join(root, 'bench', 'results', `chaos-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const stack = (await loadStack(root)) as ChaosStack;
  log('local stack: up');
  await stack.up({ quiet: true });

  const config = loadConfigFromProcess('gateway');
  const kafka = createKafkaClient(config, { clientId: `chaos-${stamp}`, logLevel: logLevel.NOTHING });
  const database = `chaos_${stamp}`;
  const mongoUri = Object.assign(new URL(config.mongoUri), { pathname: `/${database}` }).toString();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    for (const app of ['gateway', ...AGENTS]) {
      if (stack.isRunning(app)) {
        log(`${app} is running from npm start: stopping it, its consumer group is needed`);
        await stack.stopProcess(app);
      }
    }
    await assertGroupsIdle(kafka, GROUPS);
    log('building the services');
    await (await loadBuild(root)).buildApps();
    const mongo = await connectMongo(mongoUri);
    cleanups.push(async () => {
      await mongo.dropDatabase();
      await mongo.close();
    });
    await loadData({
      connection: mongo,
      tenantId: 'default',
      ...defaultDataFiles(join(root, 'data')),
      ifEmpty: false,
    });
    await resetGroups(kafka, GROUPS);

    const llm = await LlmSimulator.start({ delayMs: seconds('llm-delay-ms') });
    cleanups.push(() => llm.close());
    const services = new ServiceSet(
      root,
      {
        TRIBUTARY_MONGO_URI: mongoUri,
        TRIBUTARY_LOG_LEVEL: 'warn',
        TRIBUTARY_LLM_BASE_URL: llm.baseUrl,
        TRIBUTARY_RATE_LIMIT_PER_SECOND: '1000000',
        TRIBUTARY_RATE_LIMIT_BURST: '1000000',
      },
      logDir,
    );
    cleanups.push(() => services.stop());
    log('starting the gateway, then the three agents');
    await services.start(['gateway']);
    await services.start([...AGENTS]);

    const down = seconds('down-seconds');
    const faults: Fault[] = [
      ...(['planner-agent', 'research-agent', 'reviewer-agent', 'gateway'] as const).map((name) =>
        killService(services, name, down),
      ),
      killBroker(stack, down),
      freezeStore(stack, seconds('freeze-seconds')),
      stopRegistry(stack, Math.max(down, 30)),
    ];

    const startedAt = new Date();
    const client = new ChaosClient(() => services.url('gateway'));
    log(`load: ${rate} tasks/s`);
    const load = client.run(rate, stamp);
    const settle = seconds('settle-seconds') * 1000;
    await sleep(settle);
    for (const fault of faults) {
      log(`fault: ${fault.name}`);
      await fault.run(log);
      await sleep(settle);
    }
    client.stop();
    await load;
    log(
      `load stopped: ${client.tasks.length} submissions; waiting up to ${args['drain-seconds']} s for every task to end`,
    );
    const deadline = Date.now() + seconds('drain-seconds') * 1000;
    await Promise.all(client.tasks.map((task) => client.settle(task, deadline)));

    const terminals = await terminalEvents(kafka, config, startedAt);
    const deadLetters = await deadLettersSince(kafka, startedAt);
    return report(client, terminals, deadLetters, faults, logDir);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Distinct terminal events (by event id) per task id, read from the topics since the run started. */
async function terminalEvents(
  kafka: Kafka,
  config: TributaryConfig,
  since: Date,
): Promise<Map<string, Map<string, string>>> {
  const serializer = createRegistrySerializer(config, { clientId: config.kafka.clientId });
  const byTask = new Map<string, Map<string, string>>();
  for await (const batch of readRanges({
    kafka,
    serializer,
    topics: [TOPICS.recommendationReady, TOPICS.taskFailed],
    fromTime: since,
  })) {
    for (const record of batch.records) {
      if (record.key === null) continue;
      const events = byTask.get(record.key) ?? new Map<string, string>();
      const envelope = record.envelope;
      events.set(
        envelope?.eventId ?? `${record.topic}:${record.partition}:${record.offset}`,
        `${record.topic.replace(/^tributary\.\w+\./, '')} from ${envelope?.producer ?? '?'}, caused by ${envelope?.causationId ?? '?'}, at ${new Date(Number(record.timestamp)).toISOString()}`,
      );
      byTask.set(record.key, events);
    }
  }
  return byTask;
}

/** Records written to each group's dead-letter topic since the run started. */
async function deadLettersSince(kafka: Kafka, since: Date): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const counts = new Map<string, number>();
    for (const group of Object.values(CONSUMER_GROUPS)) {
      const topic = deadLetterTopic(group);
      if (!existing.has(topic)) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime());
      let count = 0;
      for (const end of ends) {
        const start = starts.find((s) => s.partition === end.partition);
        const from = start && Number(start.offset) >= 0 ? Number(start.offset) : Number(end.high);
        count += Number(end.high) - from;
      }
      counts.set(group, count);
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

function report(
  client: ChaosClient,
  terminals: Map<string, Map<string, string>>,
  deadLetters: Map<string, number>,
  faults: readonly Fault[],
  logDir: string,
): number {
  const accepted = client.tasks.filter(
    (t): t is SubmittedTask & { taskId: string } => t.taskId !== undefined,
  );
  const by = (status: string) => accepted.filter((t) => t.status === status);
  const failed = new Map<string, number>();
  for (const task of by('failed')) failed.set(task.reason ?? '?', (failed.get(task.reason ?? '?') ?? 0) + 1);
  const open = accepted.filter((t) => !['completed', 'failed', 'cancelled'].includes(t.status ?? ''));
  const duplicated = accepted.filter((t) => (terminals.get(t.taskId)?.size ?? 0) > 1);
  const unrecorded = accepted.filter(
    (t) => ['completed', 'failed'].includes(t.status ?? '') && !terminals.has(t.taskId),
  );
  // 503 with Retry-After is the documented answer while a dependency is down; every other 5xx is a fault.
  const sum = (entries: [string, number][]) => entries.reduce((total, [, n]) => total + n, 0);
  const answers = [...client.answers];
  const unavailable = sum(answers.filter(([key]) => / 503$/.test(key)));
  const total5xx = sum(answers.filter(([key]) => / 5\d\d( |$)/.test(key) && !/ 503$/.test(key)));
  const dead = [...deadLetters.values()].reduce((a, b) => a + b, 0);

  const lines = [
    '',
    '## Chaos run',
    '',
    `Faults, in order: ${faults.map((f) => f.name).join('; ')}.`,
    '',
    `| figure | value |`,
    `| --- | ---: |`,
    `| tasks submitted (accepted) | ${accepted.length} |`,
    `| submissions refused with a 4xx (not 429) | ${client.tasks.filter((t) => t.rejected).length} |`,
    `| completed | ${by('completed').length} |`,
    ...[...failed].map(([reason, n]) => `| failed: ${reason} | ${n} |`),
    `| cancelled | ${by('cancelled').length} |`,
    `| still open (lost or stuck) | ${open.length} |`,
    `| terminal state recorded more than once | ${duplicated.length} |`,
    `| ended in the read model without a terminal event | ${unrecorded.length} |`,
    `| HTTP 503 with Retry-After (a dependency down) | ${unavailable} |`,
    `| HTTP 5xx answers otherwise (500, 503 without Retry-After) | ${total5xx} |`,
    ...[...deadLetters].map(([group, n]) => `| dead letters: ${group} | ${n} |`),
    '',
    'HTTP answers by route and status:',
    '',
    ...[...client.answers].sort().map(([key, n]) => `- ${key}: ${n}`),
    '',
    `Service logs: ${logDir}`,
    '',
  ];
  for (const task of duplicated.slice(0, 5)) {
    lines.push(
      `Terminal events of ${task.taskId}:`,
      ...[...(terminals.get(task.taskId) ?? [])].map(([id, what]) => `- ${id}: ${what}`),
      '',
    );
  }
  if (open.length > 0)
    lines.push(
      `Open tasks (first 10): ${open
        .slice(0, 10)
        .map((t) => `${t.taskId} (${t.status ?? 'unknown'})`)
        .join(', ')}`,
      '',
    );
  process.stdout.write(lines.join('\n'));
  return open.length === 0 && duplicated.length === 0 && total5xx === 0 && dead === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);

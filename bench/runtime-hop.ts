/**
 * Round-trip latency of one hop through the runtime versus plain kafkajs, against the same broker
 * in the same run:
 *
 *   raw:     producer → topic A → consumer A (produces) → topic B → consumer B measures
 *   runtime: EventProducer → A → ParallelConsumer A (emits with causedBy) → B → ParallelConsumer B
 *            (registry encode/decode, envelope headers, offset tracking, coalesced commits)
 *
 * One message in flight at a time, so the figures are latencies, not throughput.
 *
 *   node scripts/run-ts.mjs bench/runtime-hop.ts            # N=2000 after 200 warm-up round trips
 *   BENCH_N=500 BENCH_WARMUP=50 node scripts/run-ts.mjs bench/runtime-hop.ts
 *
 * Brokers and registry come from the usual TRIBUTARY_* variables.
 */
import { Logger } from '@nestjs/common';
import { loadConfig } from '@tributary/config';
import { type TopicDefinition } from '@tributary/contracts';
import {
  createKafkaClient,
  EventProducer,
  KafkaAdmin,
  ParallelConsumer,
  RegistrySerializer,
} from '@tributary/kafka';
import { logLevel, Partitioners } from 'kafkajs';

const N = Number(process.env.BENCH_N ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const config = loadConfig('gateway', { ...process.env, TRIBUTARY_KAFKA_PARTITIONS: '1' });
const runId = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}`;
const quiet = new Logger('bench');
const kafka = createKafkaClient(config, {
  clientId: `bench-${runId}`,
  logLevel: logLevel.ERROR,
  logger: quiet,
});

const SCHEMA = {
  type: 'record',
  name: 'HopEvent',
  namespace: 'dev.tributary.bench',
  fields: [
    { name: 'taskId', type: 'string' },
    { name: 'tenantId', type: 'string' },
    { name: 'seq', type: 'int' },
    { name: 'payload', type: 'string' },
  ],
} as const;

function topic(name: string): TopicDefinition<typeof SCHEMA> {
  return {
    name,
    schema: SCHEMA,
    visibility: 'internal',
    schemaVersion: 1,
    summary: 'benchmark',
    producedBy: ['bench'],
    consumedBy: ['bench'],
  };
}

/** A payload the size of a small event (a few hundred bytes). */
const PAYLOAD = 'x'.repeat(300);

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

/** Runs `send(i)` WARMUP + N times, one at a time, timing each until `arrived(i)` resolves. */
async function measure(
  send: (i: number) => Promise<void>,
  waiters: Map<number, () => void>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + N; i += 1) {
    const arrived = new Promise<void>((resolve) => waiters.set(i, resolve));
    const started = performance.now();
    await send(i);
    await arrived;
    if (i >= WARMUP) samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * `autoCommit: true` is plain kafkajs as usually written (it commits after every batch, before the
 * next fetch); `false` commits nothing at all, a floor no at-least-once consumer can reach.
 */
async function raw(admin: KafkaAdmin, autoCommit: boolean): Promise<number[]> {
  const a = `bench.raw-a.${autoCommit}.${runId}`;
  const b = `bench.raw-b.${autoCommit}.${runId}`;
  await admin.ensureTopics([
    { name: a, partitions: 1 },
    { name: b, partitions: 1 },
  ]);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const waiters = new Map<number, () => void>();
  const hop = kafka.consumer({ groupId: `bench.raw-hop.${autoCommit}.${runId}`, maxWaitTimeInMs: 500 });
  const sink = kafka.consumer({ groupId: `bench.raw-sink.${autoCommit}.${runId}`, maxWaitTimeInMs: 500 });
  await Promise.all([hop.connect(), sink.connect()]);
  await hop.subscribe({ topics: [a], fromBeginning: true });
  await sink.subscribe({ topics: [b], fromBeginning: true });
  await hop.run({
    autoCommit,
    eachMessage: async ({ message }) => {
      await producer.send({
        topic: b,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: message.headers ?? {} }],
      });
    },
  });
  await sink.run({
    autoCommit,
    eachMessage: ({ message }) => {
      const seq = Number((JSON.parse(message.value?.toString() ?? '{}') as { seq?: number }).seq);
      waiters.get(seq)?.();
      waiters.delete(seq);
      return Promise.resolve();
    },
  });
  try {
    return await measure(async (seq) => {
      await producer.send({
        topic: a,
        acks: -1,
        messages: [
          {
            key: `task-${seq % 50}`,
            value: JSON.stringify({ taskId: `task-${seq % 50}`, tenantId: 't', seq, payload: PAYLOAD }),
          },
        ],
      });
    }, waiters);
  } finally {
    await Promise.all([hop.disconnect(), sink.disconnect()]);
    await producer.disconnect();
  }
}

async function runtime(admin: KafkaAdmin): Promise<number[]> {
  const a = topic(`bench.rt-a.${runId}`);
  const b = topic(`bench.rt-b.${runId}`);
  await admin.ensureTopics([
    { name: a.name, partitions: 1 },
    { name: b.name, partitions: 1 },
  ]);
  const serializer = new RegistrySerializer({ registryUrl: config.registryUrl });
  await serializer.register([a, b]);
  const producer = new EventProducer(kafka, serializer, { service: 'gateway' });
  await producer.connect();
  const waiters = new Map<number, () => void>();
  const common = { kafka, serializer, producer, runtime: config.runtime, partitions: 1, logger: quiet };
  const hop = new ParallelConsumer({ ...common, group: `bench.rt-hop.${runId}` }).handle(
    a,
    async ({ value, envelope }) => {
      await producer.emit(b, value, { causedBy: envelope });
    },
  );
  const sink = new ParallelConsumer({ ...common, group: `bench.rt-sink.${runId}` }).handle(b, ({ value }) => {
    waiters.get(value.seq)?.();
    waiters.delete(value.seq);
    return Promise.resolve();
  });
  await Promise.all([hop.start(), sink.start()]);
  try {
    return await measure(async (seq) => {
      await producer.emit(a, { taskId: `task-${seq % 50}`, tenantId: 't', seq, payload: PAYLOAD });
    }, waiters);
  } finally {
    await Promise.all([hop.stop(), sink.stop()]);
    await producer.disconnect();
  }
}

async function main(): Promise<void> {
  const admin = new KafkaAdmin(kafka);
  try {
    console.log(
      `runtime-hop: ${N} round trips after ${WARMUP} warm-up, brokers ${config.kafka.brokers.join(',')}`,
    );
    const rawStats = stats(await raw(admin, true));
    const floorStats = stats(await raw(admin, false));
    const runtimeStats = stats(await runtime(admin));
    const row = (label: string, s: Stats) =>
      `${label.padEnd(24)} p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   mean ${s.mean.toFixed(2).padStart(7)} ms`;
    const ratio = (label: string, over: Stats, under: Stats) =>
      `${label.padEnd(24)} p50 ${(over.p50 / under.p50).toFixed(2)}×   p99 ${(over.p99 / under.p99).toFixed(2)}×   mean ${(over.mean / under.mean).toFixed(2)}×`;
    console.log(row('raw kafkajs', rawStats));
    console.log(row('raw kafkajs, no commits', floorStats));
    console.log(row('runtime', runtimeStats));
    console.log(ratio('runtime / raw', runtimeStats, rawStats));
    console.log(ratio('runtime / no commits', runtimeStats, floorStats));
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

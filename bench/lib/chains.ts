/**
 * Message chains through Kafka, one consumer per stage, in this process:
 *
 *   send → topic 0 → stage 0 (produces) → topic 1 → … → stage n-1 (the message has arrived)
 *
 * With two stages this is one hop (produce, consume, produce back, consume): `raw` is plain
 * kafkajs (the floor), `runtime` is Tributary's EventProducer and ParallelConsumer (registry Avro
 * encode/decode, envelope headers, key-parallel scheduling, offset tracking, coalesced commits).
 * Three stages give the three-step chain the queue peer is compared with.
 */
import { type LoggerService } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { retryTopic, deadLetterTopic, type TopicDefinition, valueSubject } from '@tributary/contracts';
import { createRegistrySerializer, EventProducer, KafkaAdmin, ParallelConsumer } from '@tributary/kafka';
import { type Consumer, type Kafka, Partitioners } from 'kafkajs';
import { type Cleanup } from './cleanup';
import { epochMs, openLoop, type OpenLoopResult } from './stats';

export interface ChainContext {
  readonly config: TributaryConfig;
  readonly kafka: Kafka;
  readonly runId: string;
  readonly cleanup: Cleanup;
  readonly logger: LoggerService;
}

export interface Chain {
  readonly label: string;
  /** Publishes message `seq` into the first topic; resolves once Kafka acknowledged it. */
  send(seq: number): Promise<void>;
  /** Resolves with the instant (epoch ms) message `seq` reached the last stage; call before send. */
  arrival(seq: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export const HOP_SCHEMA = {
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

type HopTopic = TopicDefinition<typeof HOP_SCHEMA>;

function hopTopic(name: string): HopTopic {
  return {
    name,
    schema: HOP_SCHEMA,
    visibility: 'internal',
    schemaVersion: 1,
    summary: 'benchmark',
    producedBy: ['bench'],
    consumedBy: ['bench'],
  };
}

/** A payload the size of a small event (a few hundred bytes). */
export const PAYLOAD = 'x'.repeat(300);
/** Messages cycle over this many keys (tasks). */
const KEYS = 50;

export function hopValue(seq: number) {
  return { taskId: `task-${seq % KEYS}`, tenantId: 't', seq, payload: PAYLOAD };
}

/** Arrival bookkeeping shared by every chain. */
export class Arrivals {
  private readonly waiters = new Map<number, (at: number) => void>();

  wait(seq: number, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(seq);
        reject(new Error(`message ${seq} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(seq, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  arrived(seq: number): void {
    const at = epochMs();
    const waiter = this.waiters.get(seq);
    this.waiters.delete(seq);
    waiter?.(at);
  }
}

/** Plain kafkajs, as usually written: `eachMessage`, one producer; `autoCommit: false` commits nothing (the floor). */
export async function rawChain(
  ctx: ChainContext,
  options: { stages: number; autoCommit: boolean; label: string },
): Promise<Chain> {
  const tag = `${options.autoCommit ? 'ac' : 'nc'}${options.stages}`;
  const topics = Array.from({ length: options.stages }, (_, i) => `bench.raw-${tag}.${i}.${ctx.runId}`);
  const groups = topics.map((_, i) => `bench.raw-${tag}.g${i}.${ctx.runId}`);
  ctx.cleanup.topic(...topics);
  ctx.cleanup.group(...groups);
  const admin = new KafkaAdmin(ctx.kafka, ctx.config.kafka);
  try {
    await admin.ensureTopics(topics.map((name) => ({ name, partitions: 1 })));
  } finally {
    await admin.disconnect();
  }
  const producer = ctx.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const arrivals = new Arrivals();
  const consumers: Consumer[] = [];
  for (const [i, topic] of topics.entries()) {
    const consumer = ctx.kafka.consumer({ groupId: groups[i] as string, maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const next = topics[i + 1];
    await consumer.run({
      autoCommit: options.autoCommit,
      eachMessage: async ({ message }) => {
        if (next !== undefined) {
          await producer.send({
            topic: next,
            acks: -1,
            messages: [{ key: message.key, value: message.value, headers: message.headers ?? {} }],
          });
          return;
        }
        const seq = Number((JSON.parse(message.value?.toString() ?? '{}') as { seq?: number }).seq);
        arrivals.arrived(seq);
      },
    });
  }
  const close = ctx.cleanup.add(options.label, async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer.disconnect();
  });
  return {
    label: options.label,
    arrival: (seq, timeoutMs = 30_000) => arrivals.wait(seq, timeoutMs),
    send: async (seq) => {
      const value = hopValue(seq);
      await producer.send({
        topic: topics[0] as string,
        acks: -1,
        messages: [{ key: value.taskId, value: JSON.stringify(value) }],
      });
    },
    close,
  };
}

/** Tributary's runtime: EventProducer (typed, Avro via the registry, envelope headers) and ParallelConsumer. */
export async function runtimeChain(
  ctx: ChainContext,
  options: { stages: number; label: string; concurrency?: number },
): Promise<Chain> {
  const topics = Array.from({ length: options.stages }, (_, i) =>
    hopTopic(`bench.rt${options.stages}.${i}.${ctx.runId}`),
  );
  const groups = topics.map((_, i) => `bench.rt${options.stages}.g${i}.${ctx.runId}`);
  ctx.cleanup.topic(...topics.map((t) => t.name));
  ctx.cleanup.topic(...groups.flatMap((g) => [retryTopic(g), deadLetterTopic(g)]));
  ctx.cleanup.group(...groups);
  ctx.cleanup.subject(...topics.map((t) => valueSubject(t.name)));
  const admin = new KafkaAdmin(ctx.kafka, ctx.config.kafka);
  try {
    await admin.ensureTopics(topics.map((t) => ({ name: t.name, partitions: 1 })));
  } finally {
    await admin.disconnect();
  }
  const serializer = createRegistrySerializer(ctx.config, { clientId: 'bench' });
  await serializer.register(topics);
  const producer = new EventProducer(ctx.kafka, serializer, { service: 'bench' });
  await producer.connect();
  const arrivals = new Arrivals();
  const runtime =
    options.concurrency === undefined
      ? ctx.config.runtime
      : { ...ctx.config.runtime, concurrency: options.concurrency };
  const consumers = topics.map((topic, i) => {
    const next = topics[i + 1];
    return new ParallelConsumer({
      kafka: ctx.kafka,
      serializer,
      producer,
      runtime,
      partitions: 1,
      replication: ctx.config.kafka,
      logger: ctx.logger,
      group: groups[i] as string,
    }).handle(topic, async ({ value, envelope }) => {
      if (next !== undefined) await producer.emit(next, value, { causedBy: envelope });
      else arrivals.arrived(value.seq);
    });
  });
  await Promise.all(consumers.map((c) => c.start()));
  const close = ctx.cleanup.add(options.label, async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer.disconnect();
  });
  return {
    label: options.label,
    arrival: (seq, timeoutMs = 30_000) => arrivals.wait(seq, timeoutMs),
    send: async (seq) => {
      await producer.emit(topics[0] as HopTopic, hopValue(seq));
    },
    close,
  };
}

/** One message in flight at a time: `warmup` discarded, then `n` round-trip latencies (ms). */
export async function sequential(
  chain: Pick<Chain, 'send' | 'arrival'>,
  warmup: number,
  n: number,
  firstSeq = 0,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + n; i += 1) {
    const seq = firstSeq + i;
    const arrived = chain.arrival(seq);
    arrived.catch(() => undefined); // awaited below; a failed send must not leave it unhandled
    const started = epochMs();
    await chain.send(seq);
    const at = await arrived;
    if (i >= warmup) samples.push(at - started);
  }
  return samples;
}

/** Open-loop arrivals at `rate` per second; latency counts from each message's intended send time. */
export function chainOpenLoop(
  chain: Pick<Chain, 'send' | 'arrival'>,
  rate: number,
  count: number,
  firstSeq: number,
): Promise<OpenLoopResult> {
  return openLoop(rate, count, async (i) => {
    const seq = firstSeq + i;
    const arrived = chain.arrival(seq);
    arrived.catch(() => undefined); // returned below; a failed send must not leave it unhandled
    await chain.send(seq);
    return arrived;
  });
}

/**
 * What a task costs in CPU, the report's headline: the CPU of every process of the system (the
 * four services, Kafka, the schema registry and the store) over a phase, per completed task, with
 * the messages the phase's tasks put on the topics; and its same-run baseline, the CPU that raw
 * kafkajs (one producer and one consumer in the bench process, no registry, no store) and Kafka
 * spend moving as many messages per task, at the phase's message rate.
 */
import { ALL_TOPICS, deadLetterTopic, retryTopic } from '@tributary/contracts';
import { KafkaAdmin, type TopicReplication } from '@tributary/kafka';
import { type Kafka } from 'kafkajs';
import { type Cleanup } from './cleanup';
import { GROUPS } from './groups';
import { consumeRanges, type OffsetBounds, partitionKey } from './rebuild';
import { CpuMeter, type PhaseCpu } from './services';
import { epochMs, openLoop, sleep } from './stats';

/** The stack's servers, by the names of their pid files. */
export const STACK_SERVERS = ['kafka', 'registry', 'ferretdb'] as const;

/** Every topic the services write: the task topics and each group's retry and dead-letter topics. */
export async function serviceTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    return [
      ...ALL_TOPICS.map((t) => t.name),
      ...GROUPS.flatMap((g) => [retryTopic(g), deadLetterTopic(g)]),
    ].filter((t) => existing.has(t));
  } finally {
    await admin.disconnect();
  }
}

/** The end offset (high watermark) of every partition of the topics, by `topic:partition`. */
export async function topicEnds(kafka: Kafka, topics: readonly string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        ends.set(partitionKey(topic, partition), Number(high));
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** The records written between two snapshots of the same topics' ends. */
export function boundsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): OffsetBounds {
  const bounds: OffsetBounds = new Map();
  for (const [key, end] of after) {
    const start = before.get(key) ?? 0;
    if (end > start) bounds.set(key, { start, end });
  }
  return bounds;
}

/**
 * Consumer groups with live members that are neither the services' nor the bench's: other clients
 * of a shared stack, whose work shows in Kafka's and the store's CPU (and, if they write the task
 * topics, in the services').
 */
export async function otherClients(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ours = new Set<string>(GROUPS);
    const { groups } = await admin.listGroups();
    const candidates = groups.map((g) => g.groupId).filter((g) => !ours.has(g) && !g.startsWith('bench.'));
    if (candidates.length === 0) return [];
    const { groups: described } = await admin.describeGroups(candidates);
    return described.filter((g) => g.members.length > 0).map((g) => g.groupId);
  } finally {
    await admin.disconnect();
  }
}

/** A phase's CPU per process and the records its tasks wrote to the topics. */
export interface PhaseCost {
  readonly cpu: PhaseCpu;
  readonly records: number;
  /** Key, value and headers, summed over the records. */
  readonly bytes: number;
  /** Records per topic. */
  readonly perTopic: Readonly<Record<string, number>>;
  /** Other clients' consumer groups live at the start or the end of the phase (see otherClients). */
  readonly others: readonly string[];
}

/** Measures a phase: CPU of the given processes and the records written to the topics meanwhile. */
export class CostMeter {
  private constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly before: ReadonlyMap<string, number>,
    private readonly cpu: CpuMeter,
    private readonly othersBefore: readonly string[],
  ) {}

  static async begin(kafka: Kafka, pids: () => Record<string, number | undefined>): Promise<CostMeter> {
    const others = await otherClients(kafka);
    const topics = await serviceTopics(kafka);
    const before = await topicEnds(kafka, topics);
    return new CostMeter(kafka, topics, before, new CpuMeter(pids).begin(), others);
  }

  /** Ends the phase; then reads the records written in it (their count and bytes), outside the measured CPU. */
  async end(): Promise<PhaseCost> {
    const cpu = this.cpu.end();
    const bounds = boundsBetween(this.before, await topicEnds(this.kafka, this.topics));
    const perTopic: Record<string, number> = {};
    for (const [key, { start, end }] of bounds) {
      const topic = key.slice(0, key.lastIndexOf(':'));
      perTopic[topic] = (perTopic[topic] ?? 0) + end - start;
    }
    const others = [...new Set([...this.othersBefore, ...(await otherClients(this.kafka))])];
    const { records, bytes } = await consumeRanges(this.kafka, bounds);
    return { cpu, records, bytes, perTopic, others };
  }
}

export interface RawKafkaCost {
  readonly messages: number;
  readonly valueBytes: number;
  readonly rate: number;
  readonly partitions: number;
  /** CPU of the bench process and Kafka over the run, background included. */
  readonly cpu: PhaseCpu;
  /** What the bench process and Kafka used per second before the run, with the raw clients not yet connected. */
  readonly background: Readonly<Record<string, number>>;
  /** CPU milliseconds per message moved, background taken off: per process and in all. */
  readonly msPerMessage: Readonly<Record<string, number>>;
  readonly total: number;
}

/**
 * Raw kafkajs moving `messages` messages of `valueBytes` bytes at `rate` per second, open loop: an
 * idempotent producer sending one message per request with acks from all replicas, and an
 * `eachMessage` consumer with auto-commit, both in this process, on a topic of the run's own with
 * the task topics' partition count. Measures the CPU of this process and of Kafka from the first
 * send until the consumer has the last message, less what both used before the raw clients were
 * connected (Kafka also serves the idle services' consumers meanwhile), over a window as long;
 * after a warm-up, so the figure is not the JIT compiling kafkajs.
 */
export async function rawKafkaCost(
  ctx: {
    kafka: Kafka;
    replication: TopicReplication;
    cleanup: Cleanup;
    runId: string;
    kafkaPid: () => number | undefined;
  },
  options: { messages: number; rate: number; valueBytes: number; partitions: number; phase: string },
): Promise<RawKafkaCost> {
  const pids = () => ({ bench: process.pid, kafka: ctx.kafkaPid() });
  const background = new CpuMeter(pids).begin();
  await sleep((options.messages / options.rate) * 1000);
  const idle = background.end();
  const perSecond = Object.fromEntries(
    Object.entries(idle.cpuSeconds).map(([name, s]) => [name, s / idle.wallSeconds]),
  );

  const tag = `${options.phase}.${ctx.runId}`;
  const topic = `bench.raw-cost.${tag}`;
  const groupId = `bench.raw-cost.g.${tag}`;
  ctx.cleanup.topic(topic);
  ctx.cleanup.group(groupId);
  const admin = new KafkaAdmin(ctx.kafka, ctx.replication);
  try {
    await admin.ensureTopics([{ name: topic, partitions: options.partitions }]);
  } finally {
    await admin.disconnect();
  }
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = ctx.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const close = ctx.cleanup.add(`raw kafkajs (${options.phase})`, async () => {
    await consumer.disconnect();
    await producer.disconnect();
  });
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let received = 0;
    let expected = 0;
    let arrived: () => void = () => undefined;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: () => {
        received += 1;
        if (received === expected) arrived();
        return Promise.resolve();
      },
    });
    await joined;
    const value = Buffer.alloc(options.valueBytes, 'x');
    /** `count` messages at the rate; resolves when the consumer has them all. */
    const move = async (count: number) => {
      expected += count;
      const all = new Promise<void>((resolve) => (arrived = resolve));
      await openLoop(options.rate, count, async (i) => {
        await producer.send({ topic, acks: -1, messages: [{ key: `task-${i % 64}`, value }] });
        return epochMs();
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        all,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`raw kafkajs: ${received} of ${expected} messages arrived`)),
            30_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    };
    await move(Math.min(200, options.messages));
    const cpu = new CpuMeter(pids).begin();
    await move(options.messages);
    const used = cpu.end();
    const msPerMessage = Object.fromEntries(
      Object.entries(used.cpuSeconds).map(([name, s]) => [
        name,
        ((s - (perSecond[name] ?? 0) * used.wallSeconds) * 1000) / options.messages,
      ]),
    );
    return {
      messages: options.messages,
      valueBytes: options.valueBytes,
      rate: options.rate,
      partitions: options.partitions,
      cpu: used,
      background: perSecond,
      msPerMessage,
      total: Object.values(msPerMessage).reduce((a, b) => a + b, 0),
    };
  } finally {
    await close();
  }
}

/**
 * Waits until nothing has been written to the services' topics for `quietMs` (tasks abandoned at
 * the end of a closed loop are done), or `timeoutMs` has passed; returns whether it got quiet.
 */
export async function waitQuiet(kafka: Kafka, quietMs: number, timeoutMs: number): Promise<boolean> {
  const topics = await serviceTopics(kafka);
  const deadline = epochMs() + timeoutMs;
  let last = await topicEnds(kafka, topics);
  let since = epochMs();
  while (epochMs() < deadline) {
    await sleep(Math.min(500, quietMs));
    const now = await topicEnds(kafka, topics);
    if (boundsBetween(last, now).size > 0) {
      last = now;
      since = epochMs();
    } else if (epochMs() - since >= quietMs) {
      return true;
    }
  }
  return false;
}

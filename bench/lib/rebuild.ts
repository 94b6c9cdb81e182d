/**
 * Rebuild: the shipped command (dist/tools/rebuild-projection.cjs, built from
 * apps/gateway/src/cli/rebuild-projection.ts) into fresh collections, reading the task topics from
 * an instant on; against a raw kafkajs consume of the same topics and offset ranges (no decoding,
 * no MongoDB), in the same run. The command's figures come from its `--json` summary.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Kafka } from 'kafkajs';
import { epochMs } from './stats';

/** What `rebuild-projection --json` prints (the fields the bench reads). */
export interface RebuildSummary {
  /** Records read from the task topics. */
  readonly events: number;
  readonly undecodable: number;
  readonly tasks: number;
  /** Until the last record was read (writing overlaps it). */
  readonly readMs: number;
  /** Until the last write was acknowledged. */
  readonly totalMs: number;
  readonly eventsPerSecond: number;
}

export interface RebuildFigures extends RebuildSummary {
  /** The command's whole life as a process, start-up included. */
  readonly wallMs: number;
  /** What it printed on stderr (warnings). */
  readonly stderr: string;
}

/** The JSON summary: the last line of stdout (any log lines at info or debug level come before it). */
function summaryOf(stdout: string): RebuildSummary {
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as RebuildSummary;
  } catch {
    throw new Error(`rebuild-projection --json printed no JSON summary:\n${stdout || '(nothing)'}`);
  }
}

export async function runRebuild(
  root: string,
  env: Record<string, string>,
  options: { into: string; since: Date; batch: number; nodeArgs?: readonly string[]; timeoutMs: number },
): Promise<RebuildFigures> {
  const started = epochMs();
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      join(root, 'dist', 'tools', 'rebuild-projection.cjs'),
      '--into',
      options.into,
      '--replace',
      '--since',
      options.since.toISOString(),
      '--batch',
      String(options.batch),
      '--json',
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  // Never leave it behind (Ctrl-C of the bench, or an error below).
  const stop = () => child.kill('SIGKILL');
  process.once('exit', stop);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  process.removeListener('exit', stop);
  const wallMs = epochMs() - started;
  const printed = `${stdout}${stderr}` || '(nothing)';
  if (timedOut) {
    throw new Error(
      `rebuild-projection did not finish within ${options.timeoutMs} ms and was killed; it printed:\n${printed}`,
    );
  }
  if (code !== 0) throw new Error(`rebuild-projection exited with ${code}:\n${printed}`);
  const { events, undecodable, tasks, readMs, totalMs, eventsPerSecond } = summaryOf(stdout);
  return { events, undecodable, tasks, readMs, totalMs, eventsPerSecond, wallMs, stderr };
}

/** Where a read starts and ends in one partition: offsets [start, end). */
export type OffsetBounds = Map<string, { readonly start: number; readonly end: number }>;

/** `topic:partition`, the key of OffsetBounds. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Counts every record of the topics from `since` to their current end with one plain consumer. */
export async function rawConsume(
  kafka: Kafka,
  topics: readonly string[],
  since: Date,
): Promise<{ events: number; ms: number }> {
  const started = epochMs();
  const admin = kafka.admin();
  await admin.connect();
  const bounds: OffsetBounds = new Map();
  try {
    for (const topic of topics) {
      const high = await admin.fetchTopicOffsets(topic);
      const from = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime());
      for (const { partition, high: end } of high) {
        const start = Number(from.find((p) => p.partition === partition)?.offset ?? end);
        if (start < Number(end)) bounds.set(partitionKey(topic, partition), { start, end: Number(end) });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const { records } = await consumeRanges(kafka, bounds);
  return { events: records, ms: epochMs() - started };
}

/**
 * Reads the records in `bounds` with one plain consumer (a throwaway group, deleted after) and
 * counts them and their bytes (key, value and headers as sent).
 */
export async function consumeRanges(
  kafka: Kafka,
  bounds: OffsetBounds,
): Promise<{ records: number; bytes: number }> {
  let records = 0;
  let bytes = 0;
  if (bounds.size === 0) return { records, bytes };
  const topics = [...new Set([...bounds.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))))];
  const groupId = `bench.raw-consume.${randomUUID()}`;
  const remaining = new Set(bounds.keys());
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      });
      void consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            const key = partitionKey(batch.topic, batch.partition);
            const range = bounds.get(key);
            if (!range || !remaining.has(key)) return Promise.resolve();
            for (const message of batch.messages) {
              const offset = Number(message.offset);
              if (offset < range.start || offset >= range.end) continue;
              records += 1;
              bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
              for (const [name, value] of Object.entries(message.headers ?? {}))
                bytes += name.length + (Buffer.isBuffer(value) ? value.length : String(value ?? '').length);
            }
            if (Number(batch.lastOffset()) >= range.end - 1) {
              remaining.delete(key);
              if (remaining.size === 0) resolve();
            }
            return Promise.resolve();
          },
        })
        .then(() => {
          for (const [key, { start }] of bounds) {
            const at = key.lastIndexOf(':');
            consumer.seek({
              topic: key.slice(0, at),
              partition: Number(key.slice(at + 1)),
              offset: String(start),
            });
          }
        }, reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return { records, bytes };
}

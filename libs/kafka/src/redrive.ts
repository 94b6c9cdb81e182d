import { deadLetterTopic, FAILURE_HEADERS, HEADERS, headerString, retryTopic } from '@tributary/contracts';
import { type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { topicOffsets } from './admin';
import { errorMessage } from './errors';
import { readFailure, withFailureHeaders } from './failure';
import { type RawProducer } from './producer';

export interface RedriveFilter {
  /** Only dead letters from this topic. */
  readonly originTopic?: string;
  /** Only dead letters whose last error had this class, e.g. RetriableError. */
  readonly errorClass?: string;
  /** Only the dead letter of this event. */
  readonly eventId?: string;
}

export interface RedriveOptions {
  readonly kafka: Kafka;
  readonly producer: RawProducer;
  /** The consumer group whose dead-letter topic is redriven. */
  readonly group: string;
  readonly filter?: RedriveFilter;
  /** Report what would move; move nothing, remember nothing. */
  readonly dryRun?: boolean;
  /** Move at most this many. */
  readonly limit?: number;
  /** Gives up (having committed what moved) after this long; default 2 minutes. */
  readonly timeoutMs?: number;
  /** Called for each dead letter that matches (moved or, in a dry run, would move). */
  readonly onRecord?: (record: RedriveRecord) => void;
}

export interface RedriveRecord {
  readonly deadLetter: { readonly topic: string; readonly partition: number; readonly offset: string };
  /** Where it was (or, in a dry run, would be) moved: the group's retry topic. */
  readonly movedTo: string;
  readonly originTopic: string;
  readonly originPartition: number;
  readonly originOffset: string;
  readonly eventId: string | undefined;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly lastFailureAt: string;
}

export interface RedriveResult {
  readonly dryRun: boolean;
  /** Moved (or, in a dry run, would move). */
  readonly records: readonly RedriveRecord[];
  /** Dead letters read that did not match the filter (they stay and can be redriven later). */
  readonly skipped: number;
  /** Dead letters read that an earlier redrive already moved. */
  readonly alreadyMoved: number;
}

/** The redrive position of a group: a consumer group of its own on the dead-letter topic. */
export function redriveGroup(group: string): string {
  return `${group}.redrive`;
}

/**
 * What a redrive remembers per dead-letter partition, in the committed offset of the redrive group
 * and its metadata: every offset below `position` has been moved, and so have the offsets listed
 * in `moved` (a filtered redrive leaves non-matching letters behind, so moved ones can sit above
 * the first unmoved one). Kafka caps offset metadata at 4 KiB by default, hence ranges.
 */
interface Progress {
  position: number;
  moved: Set<number>;
}

const METADATA_LIMIT = 3_500;

export function encodeMoved(moved: Iterable<number>): string {
  const sorted = [...moved].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const offset of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && offset === last[1] + 1) last[1] = offset;
    else ranges.push([offset, offset]);
  }
  return JSON.stringify({ v: 1, moved: ranges });
}

export function decodeMoved(metadata: string | null | undefined): Set<number> {
  const moved = new Set<number>();
  if (!metadata) return moved;
  try {
    const parsed = JSON.parse(metadata) as { v?: number; moved?: [number, number][] };
    for (const [from, to] of parsed.moved ?? [])
      for (let offset = from; offset <= to; offset += 1) moved.add(offset);
  } catch {
    // Not ours: treat as nothing moved above the position.
  }
  return moved;
}

/** Where a group's redrive stands on one partition of its dead-letter topic. */
export interface RedrivePosition {
  readonly partition: number;
  /** Every dead letter below this offset has been moved. */
  readonly position: number;
  /** Offsets at or above `position` that were moved too (a filtered redrive passed others by). */
  readonly moved: ReadonlySet<number>;
  /** The partition's end: letters in [position, high) not in `moved` are still waiting. */
  readonly high: number;
}

/** The redrive position of every partition of a group's dead-letter topic (read, never changed). */
export async function redrivePositions(admin: Admin, group: string): Promise<RedrivePosition[]> {
  const topic = deadLetterTopic(group);
  const watermarks = await topicOffsets(admin, topic);
  const [committed] = await admin.fetchOffsets({ groupId: redriveGroup(group), topics: [topic] });
  return watermarks.map(({ partition, low, high }) => {
    const entry = committed?.partitions.find((p) => p.partition === partition);
    const position = Math.max(Number(low), entry && Number(entry.offset) >= 0 ? Number(entry.offset) : 0);
    return { partition, position, moved: decodeMoved(entry?.metadata), high: Number(high) };
  });
}

/** Whether the dead letter at `offset` has been moved back by a redrive. */
export function isRedriven(position: RedrivePosition, offset: number): boolean {
  return offset < position.position || position.moved.has(offset);
}

function matches(headers: IHeaders | undefined, filter: RedriveFilter): boolean {
  const raw = headers;
  if (
    filter.originTopic !== undefined &&
    headerString(raw, FAILURE_HEADERS.originTopic) !== filter.originTopic
  )
    return false;
  if (filter.errorClass !== undefined && headerString(raw, FAILURE_HEADERS.errorClass) !== filter.errorClass)
    return false;
  if (filter.eventId !== undefined && headerString(raw, HEADERS.eventId) !== filter.eventId) return false;
  return true;
}

/**
 * Moves dead letters of a group back into that group's own retry path: its retry topic, which only
 * that group consumes, due at once. The copy keeps the original bytes, key and envelope headers and
 * its origin (topic, partition, offset), with the attempt count reset (the group handles it as
 * attempt 1, `delivery.topic` still the origin) and `redrivenFrom` =
 * `<dead-letter topic>/<partition>/<offset>`. Not the origin topic: every group that consumes it
 * would see the event again (redriving the projection's letters would re-run the agents).
 *
 * A dead letter is never moved twice: progress is committed to the group `<group>.redrive` after
 * each batch. Filtering does not lose anything: a letter that does not match stays below the
 * remembered position and is read again (and can match) by the next redrive, while matched letters
 * above it are remembered individually. A crash between publishing and committing can move the
 * last batch twice (at-least-once, like everything else here; handlers are idempotent).
 */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const { kafka, producer, group } = options;
  const filter = options.filter ?? {};
  const dryRun = options.dryRun ?? false;
  const limit = options.limit ?? Infinity;
  const topic = deadLetterTopic(group);
  const movedTo = retryTopic(group);
  const groupId = redriveGroup(group);
  const records: RedriveRecord[] = [];
  let skipped = 0;
  let alreadyMoved = 0;

  const admin = kafka.admin();
  await admin.connect();
  const progress = new Map<number, Progress>();
  const ends = new Map<number, number>();
  try {
    for (const { partition, position, moved, high } of await redrivePositions(admin, group)) {
      progress.set(partition, { position, moved: new Set(moved) });
      if (position < high) ends.set(partition, high);
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0 || limit <= 0) return { dryRun, records, skipped, alreadyMoved };

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  const remaining = new Set(ends.keys());
  let settle: ((error?: unknown) => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => {
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(errorMessage(error)));
    };
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) settle?.(event.payload.error);
  });
  const timer = setTimeout(
    () => settle?.(new Error(`redrive of ${topic} timed out`)),
    options.timeoutMs ?? 120_000,
  );

  const moveOne = async (partition: number, message: KafkaMessage): Promise<void> => {
    const failure = readFailure(message.headers);
    const raw = message.headers;
    const record: RedriveRecord = {
      deadLetter: { topic, partition, offset: message.offset },
      movedTo,
      originTopic: failure?.originTopic ?? '(unknown)',
      originPartition: failure?.originPartition ?? -1,
      originOffset: failure?.originOffset ?? '',
      eventId: headerString(raw, HEADERS.eventId),
      errorClass: failure?.errorClass ?? '',
      errorMessage: failure?.errorMessage ?? '',
      attempts: failure?.attempts ?? 0,
      lastFailureAt: failure?.lastFailureAt ?? '',
    };
    if (!dryRun) {
      if (!failure)
        throw new Error(`${topic}/${partition}/${message.offset} has no origin headers: cannot redrive it`);
      // Due at once (no retryDueAt), and attempt 1 when the group reads it (attempts so far: 0).
      const { retryDueAt: _due, ...record } = failure;
      const headers = withFailureHeaders(message.headers, { ...record, attempts: 0 });
      headers[FAILURE_HEADERS.redrivenFrom] = `${topic}/${partition}/${message.offset}`;
      await producer.send({
        topic: movedTo,
        messages: [{ key: message.key, value: message.value, headers }],
      });
    }
    records.push(record);
    options.onRecord?.(record);
  };

  const commitProgress = async (
    partition: number,
    visited: readonly { offset: number; moved: boolean }[],
  ) => {
    const state = progress.get(partition);
    if (!state || visited.length === 0) return;
    let position = state.position;
    for (const { offset, moved } of visited) {
      if (moved) state.moved.add(offset);
    }
    // Advance over the prefix that moved (or was moved before); stop at the first letter left behind.
    const firstLeft = visited.find((v) => !v.moved && !state.moved.has(v.offset));
    const lastVisited = (visited[visited.length - 1] as { offset: number }).offset;
    position = firstLeft ? Math.max(position, firstLeft.offset) : Math.max(position, lastVisited + 1);
    for (const offset of state.moved) if (offset < position) state.moved.delete(offset);
    const metadata = encodeMoved(state.moved);
    if (metadata.length > METADATA_LIMIT) {
      throw new Error(
        `too many scattered redriven letters above ${topic}/${partition}/${position} to remember; redrive with fewer filters`,
      );
    }
    state.position = position;
    await consumer.commitOffsets([{ topic, partition, offset: String(position), metadata }]);
  };

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const { partition } = batch;
        const end = ends.get(partition);
        const state = progress.get(partition);
        if (end === undefined || state === undefined || !remaining.has(partition)) return;
        const visited: { offset: number; moved: boolean }[] = [];
        let reachedLimit = false;
        try {
          for (const message of batch.messages) {
            if (!payload.isRunning()) break;
            const offset = Number(message.offset);
            if (offset < state.position) continue;
            if (offset >= end) break;
            if (state.moved.has(offset)) {
              alreadyMoved += 1;
              visited.push({ offset, moved: true });
            } else if (records.length >= limit) {
              reachedLimit = true;
              break;
            } else if (matches(message.headers, filter)) {
              await moveOne(partition, message);
              visited.push({ offset, moved: true });
            } else {
              skipped += 1;
              visited.push({ offset, moved: false });
            }
          }
          if (!dryRun) await commitProgress(partition, visited);
        } catch (error) {
          settle?.(error);
          return;
        }
        if (reachedLimit || records.length >= limit || Number(batch.lastOffset()) >= end - 1) {
          remaining.delete(partition);
          if (remaining.size === 0 || records.length >= limit) settle?.();
        }
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return { dryRun, records, skipped, alreadyMoved };
}

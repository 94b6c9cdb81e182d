import { type TopicDefinition } from '@tributary/contracts';
import { decodeRecord, type EventSerializer, readRawRanges } from '@tributary/kafka';
import { type Progress } from '@tributary/terminal';
import { type Kafka } from 'kafkajs';
import { catalogueName, eventKind } from '../topics';
import { type ExportRow, toRow } from './rows';
import { type RowSink } from './sinks';

export interface ExportRange {
  readonly fromTime?: Date;
  readonly toTime?: Date;
  readonly fromOffset?: number;
  readonly toOffset?: number;
  readonly partitions?: readonly number[];
}

export interface ExportFilter {
  readonly tenants?: ReadonlySet<string>;
  readonly tasks?: ReadonlySet<string>;
  /** Catalogue topic names (no namespace) of the event types wanted. */
  readonly eventTypes?: ReadonlySet<string>;
}

export interface ExportOptions {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly topics: readonly TopicDefinition[];
  readonly range: ExportRange;
  readonly filter: ExportFilter;
  readonly sink: RowSink;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  /** Topics that do not exist (left out of the read, reported in the summary). */
  readonly missing?: readonly string[];
  /** Called with each exported row (after the sink took it). */
  readonly onRow?: (row: ExportRow) => void;
}

export interface TopicCounts {
  /** Records of the range read from the topic (after the task filter, which skips records unread). */
  read: number;
  exported: number;
  undecodable: number;
}

export interface UndecodableReason {
  readonly reason: string;
  count: number;
  /** `topic/partition/offset` of the first few. */
  readonly examples: string[];
}

export interface ExportSummary {
  readonly topics: Record<string, TopicCounts>;
  /** Topics asked for that do not exist (a namespace without some topic). */
  readonly missingTopics: readonly string[];
  readonly read: number;
  readonly exported: number;
  /** Read but left out by the tenant or event-type filter. */
  readonly filteredOut: number;
  readonly undecodable: number;
  readonly undecodableReasons: readonly UndecodableReason[];
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** The highest resident set size of this process so far, in bytes (as the kernel counts it). */
  readonly maxRssBytes: number;
  readonly interrupted: boolean;
}

const EXAMPLES = 5;

/**
 * What the read holds ahead of the writer: a small buffer and small fetches. Every fetched message
 * becomes a dozen objects at once (value, key, headers), so these, not the range, bound the heap.
 */
const READ_LIMITS = {
  bufferSize: 1_000,
  fetchMaxBytes: 2 * 1024 * 1024,
  fetchMaxBytesPerPartition: 512 * 1024,
} as const;

/** The peak resident set size of this process, in bytes. */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Decodes a set of topics over a range into a sink, streaming: the read holds a bounded buffer of
 * raw records (readRawRanges pauses fetching when it is full) and the sink holds at most a row group,
 * so memory does not grow with the range. Undecodable records are exported too (value null,
 * decode_error set) and counted by reason; a registry that cannot be reached stops the export
 * instead (retrying later gives a complete export, an export of nothing but errors helps nobody).
 */
export async function exportEvents(options: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  const { filter } = options;
  const byName = new Map(options.topics.map((topic) => [topic.name, topic]));
  const kinds = new Map(options.topics.map((topic) => [topic.name, eventKind(topic.name)]));
  const missing = options.missing ?? [];
  const topics: Record<string, TopicCounts> = Object.fromEntries(
    options.topics
      .filter((topic) => !missing.includes(topic.name))
      .map((topic) => [topic.name, { read: 0, exported: 0, undecodable: 0 }]),
  );
  const reasons = new Map<string, UndecodableReason>();
  let filteredOut = 0;

  for await (const batch of readRawRanges({
    kafka: options.kafka,
    topics: [...byName.keys()].filter((name) => !missing.includes(name)),
    ...options.range,
    ...(filter.tasks ? { keys: filter.tasks } : {}),
    ...READ_LIMITS,
    onPlan: (plan) =>
      options.progress.start(
        'exporting',
        plan.reduce((n, range) => n + range.end - range.start, 0),
      ),
    onScanned: (count) => options.progress.advance(count),
  })) {
    if (options.signal.aborted) break;
    const topic = byName.get(batch.topic)!;
    const kind = kinds.get(topic.name)!;
    const counts = topics[topic.name]!;
    counts.read += batch.messages.length;
    const records = await Promise.all(
      batch.messages.map((message) => decodeRecord(options.serializer, topic, batch.partition, message)),
    );
    for (const record of records) {
      const envelope = record.envelope;
      if (filter.tenants && !filter.tenants.has(envelope?.tenantId ?? '')) {
        filteredOut += 1;
        continue;
      }
      if (filter.eventTypes && !filter.eventTypes.has(catalogueName(envelope?.eventType ?? '') ?? '')) {
        filteredOut += 1;
        continue;
      }
      if (!record.ok && record.error.retriable) throw record.error;
      const row = toRow(
        { ...record, kind },
        record.ok ? { ok: true, value: record.value } : { ok: false, reason: record.error.message },
      );
      if (!record.ok) {
        counts.undecodable += 1;
        const reason = `${record.error.name}: ${record.error.message}`;
        let entry = reasons.get(reason);
        if (entry === undefined) reasons.set(reason, (entry = { reason, count: 0, examples: [] }));
        entry.count += 1;
        if (entry.examples.length < EXAMPLES)
          entry.examples.push(`${record.topic}/${record.partition}/${record.offset}`);
      }
      const wait = options.sink.write(row);
      if (wait) await wait;
      counts.exported += 1;
      options.onRow?.(row);
    }
  }
  options.progress.stop();
  await options.sink.close();

  const elapsedMs = Math.round(performance.now() - started);
  const all = Object.values(topics);
  const read = all.reduce((n, c) => n + c.read, 0);
  const exported = all.reduce((n, c) => n + c.exported, 0);
  return {
    topics,
    missingTopics: missing,
    read,
    exported,
    filteredOut,
    undecodable: all.reduce((n, c) => n + c.undecodable, 0),
    undecodableReasons: [...reasons.values()].sort((a, b) => b.count - a.count),
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? Math.round(exported / (elapsedMs / 1000)) : exported,
    maxRssBytes: maxRssBytes(),
    interrupted: options.signal.aborted,
  };
}

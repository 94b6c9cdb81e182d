import {
  ALL_TOPICS,
  CALLS_HEADER,
  headerString,
  inNamespace,
  parseCallsHeader,
  type TopicDefinition,
} from '@tributary/contracts';
import { decodeRecord, type EventSerializer, readRawRanges } from '@tributary/kafka';
import { type Progress } from '@tributary/terminal';
import { type Kafka } from 'kafkajs';
import { shortTopicName } from '../topics';

/** What one run of a task came to, as its events tell it. */
export interface TaskOutcome {
  readonly taskId: string;
  readonly tenantId: string;
  /** Who asked and in what words, from the task.requested event (null when the read did not reach it). */
  readonly request: { readonly userId: string; readonly query: string } | null;
  /** The first terminal event's: completed, failed, cancelled; open without one. */
  readonly status: 'completed' | 'failed' | 'cancelled' | 'open';
  /** Item ids of the final recommendations, best first. */
  readonly recommendations: readonly string[];
  readonly bestEffort: boolean | null;
  /** Review rounds, in round order (each round once). */
  readonly reviews: readonly { readonly round: number; readonly verdict: string; readonly score: number }[];
  readonly failureCode: string | null;
  /** From the request to the first terminal event, in ms (null while open). */
  readonly latencyMs: number | null;
  /** The journaled calls its steps listed, by how they were answered. */
  readonly calls: { called: number; journal: number; shared: number };
}

const TERMINAL: Readonly<Record<string, TaskOutcome['status']>> = {
  'recommendation.ready': 'completed',
  'task.failed': 'failed',
  'task.cancel-requested': 'cancelled',
};

interface Building {
  taskId: string;
  tenantId: string;
  requestedAt: number | null;
  request: { userId: string; query: string } | null;
  terminal: { kind: string; at: number; value: Record<string, unknown> } | null;
  reviews: Map<number, { round: number; verdict: string; score: number }>;
  calls: { called: number; journal: number; shared: number };
  seen: Set<string>;
}

/** The outcome of every task on a namespace's topics (or of the tasks named), from one read. */
export async function readOutcomes(options: {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly namespace: string;
  readonly tasks?: ReadonlySet<string>;
  readonly fromTime?: Date;
  readonly progress: Progress;
}): Promise<Map<string, TaskOutcome>> {
  const kinds = new Map<string, { topic: TopicDefinition; kind: string }>(
    (ALL_TOPICS as readonly TopicDefinition[])
      .filter((topic) => shortTopicName(topic) !== 'task.progress')
      .map((topic) => {
        const named = inNamespace(topic, options.namespace);
        return [named.name, { topic: named, kind: shortTopicName(topic) }];
      }),
  );
  const admin = options.kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const tasks = new Map<string, Building>();
  for await (const batch of readRawRanges({
    kafka: options.kafka,
    topics: [...kinds.keys()].filter((name) => existing.has(name)),
    ...(options.tasks ? { keys: options.tasks } : {}),
    ...(options.fromTime ? { fromTime: options.fromTime } : {}),
    onPlan: (plan) =>
      options.progress.start(
        options.namespace || 'live',
        plan.reduce((n, r) => n + r.end - r.start, 0),
      ),
    onScanned: (count) => options.progress.advance(count),
  })) {
    const { topic, kind } = kinds.get(batch.topic)!;
    for (const message of batch.messages) {
      const record = await decodeRecord(options.serializer, topic, batch.partition, message);
      if (!record.ok) {
        if (record.error.retriable) throw record.error;
        continue;
      }
      const value = record.value as Record<string, unknown>;
      const taskId = String(value.taskId);
      let task = tasks.get(taskId);
      if (task === undefined) {
        task = {
          taskId,
          tenantId: String(value.tenantId),
          requestedAt: null,
          request: null,
          terminal: null,
          reviews: new Map(),
          calls: { called: 0, journal: 0, shared: 0 },
          seen: new Set(),
        };
        tasks.set(taskId, task);
      }
      // A step that ran again writes the same event again: count each event once.
      const eventId = record.envelope?.eventId ?? `${batch.topic}/${batch.partition}/${message.offset}`;
      if (task.seen.has(eventId)) continue;
      task.seen.add(eventId);
      const at = record.envelope ? Date.parse(record.envelope.occurredAt) : Number(message.timestamp);
      for (const call of parseCallsHeader(headerString(message.headers, CALLS_HEADER)))
        task.calls[call.via] += 1;
      if (kind === 'task.requested') {
        task.requestedAt = Math.min(task.requestedAt ?? at, at);
        const request = value.request as { userId: string; query: string };
        task.request ??= { userId: request.userId, query: request.query };
      }
      if (kind === 'review.completed') {
        const round = Number(value.round);
        if (!task.reviews.has(round))
          task.reviews.set(round, { round, verdict: String(value.verdict), score: Number(value.score) });
      }
      if (TERMINAL[kind] !== undefined && (task.terminal === null || at < task.terminal.at))
        task.terminal = { kind, at, value };
    }
  }
  options.progress.stop();
  const outcomes = new Map<string, TaskOutcome>();
  for (const task of tasks.values()) {
    const terminal = task.terminal;
    const ready = terminal?.kind === 'recommendation.ready' ? terminal.value : null;
    outcomes.set(task.taskId, {
      taskId: task.taskId,
      tenantId: task.tenantId,
      request: task.request,
      status: terminal ? TERMINAL[terminal.kind]! : 'open',
      recommendations: ready
        ? ((ready.recommendations ?? []) as { itemId: string }[]).map((r) => r.itemId)
        : [],
      bestEffort: ready ? ready.bestEffort === true : null,
      reviews: [...task.reviews.values()].sort((a, b) => a.round - b.round),
      failureCode: terminal?.kind === 'task.failed' ? ((terminal.value.code as string | null) ?? null) : null,
      latencyMs: terminal && task.requestedAt !== null ? terminal.at - task.requestedAt : null,
      calls: task.calls,
    });
  }
  return outcomes;
}

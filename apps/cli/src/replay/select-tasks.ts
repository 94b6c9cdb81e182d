import { type Envelope, type EventValue, inNamespace, TOPICS } from '@tributary/contracts';
import { type EventSerializer, readRange } from '@tributary/kafka';
import { type Progress } from '@tributary/terminal';
import { type Kafka } from 'kafkajs';

/** Which recorded tasks a replay takes: every filter given must hold. */
export interface TaskFilter {
  readonly tasks?: ReadonlySet<string>;
  readonly tenants?: ReadonlySet<string>;
  readonly users?: ReadonlySet<string>;
  /** Requested at or after. */
  readonly since?: Date;
  /** Requested before. */
  readonly until?: Date;
}

/** A recorded task's request, as the gateway published it. */
export interface RecordedRequest {
  readonly value: EventValue<typeof TOPICS.taskRequested>;
  readonly envelope: Envelope | undefined;
}

/**
 * The recorded requests of the tasks the filter selects, from the task.requested topic of `namespace`
 * ('' = the live topic), in the order they were read; a task requested twice (a redelivered submission)
 * counts once. The time bounds narrow the read by the broker's time index, then hold per record.
 */
export async function selectTasks(options: {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  readonly namespace: string;
  readonly filter: TaskFilter;
  readonly progress: Progress;
}): Promise<{ readonly tasks: Map<string, RecordedRequest>; readonly undecodable: number }> {
  const { filter } = options;
  const selected = new Map<string, RecordedRequest>();
  const topic = inNamespace(TOPICS.taskRequested, options.namespace);
  let undecodable = 0;
  for await (const record of readRange({
    kafka: options.kafka,
    serializer: options.serializer,
    topic,
    ...(filter.tasks ? { keys: filter.tasks } : {}),
    ...(filter.since ? { fromTime: filter.since } : {}),
    ...(filter.until ? { toTime: filter.until } : {}),
    onPlan: (plan) =>
      options.progress.start(
        'selecting',
        plan.reduce((n, r) => n + r.end - r.start, 0),
      ),
    onScanned: (count) => options.progress.advance(count),
  })) {
    if (!record.ok) {
      if (record.error.retriable) throw record.error;
      undecodable += 1;
      continue;
    }
    const value = record.value;
    const at = value.requestedAt;
    if (filter.tasks && !filter.tasks.has(value.taskId)) continue;
    if (filter.tenants && !filter.tenants.has(value.tenantId)) continue;
    if (filter.users && !filter.users.has(value.request.userId)) continue;
    if (filter.since && at < filter.since.getTime()) continue;
    if (filter.until && at >= filter.until.getTime()) continue;
    if (!selected.has(value.taskId)) selected.set(value.taskId, { value, envelope: record.envelope });
  }
  options.progress.stop();
  return { tasks: selected, undecodable };
}

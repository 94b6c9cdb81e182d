import {
  type Envelope,
  envelopeToHeaders,
  inNamespace,
  mintEnvelope,
  TOPICS,
  type TopicDefinition,
} from '@tributary/contracts';
import { type EventProducer, type EventSerializer, pending, type PendingEvent } from '@tributary/kafka';
import { type Kafka, type Message } from 'kafkajs';
import { sampleValue } from './agents/deliveries';

/** The catalogue topics a task's life touches, in a namespace of a test's own. */
export function taskTopics(namespace: string) {
  return {
    requested: inNamespace(TOPICS.taskRequested, namespace),
    planned: inNamespace(TOPICS.taskPlanned, namespace),
    progress: inNamespace(TOPICS.taskProgress, namespace),
    research: inNamespace(TOPICS.researchCompleted, namespace),
    review: inNamespace(TOPICS.reviewCompleted, namespace),
    ready: inNamespace(TOPICS.recommendationReady, namespace),
    failed: inNamespace(TOPICS.taskFailed, namespace),
  } satisfies Record<string, TopicDefinition>;
}

export type TaskTopics = ReturnType<typeof taskTopics>;

/**
 * Emits the events of one finished task as the services do, from the stored samples, stage by stage,
 * each stage caused by the last event of the one before: requested; planning progress and planned;
 * research progress and research completed; review completed (approved); recommendation ready.
 * Resolves with every envelope, in emission order.
 */
export async function emitTaskStory(
  producer: EventProducer,
  topics: TaskTopics,
  taskId: string,
  tenantId: string,
  options: { readonly userId?: string; readonly progressSteps?: number } = {},
): Promise<Envelope[]> {
  const userId = options.userId ?? 'user-1';
  const request = { ...sampleValue(TOPICS.taskRequested).request, userId };
  const steps = options.progressSteps ?? 2;
  const progress = (stage: string): PendingEvent[] =>
    Array.from({ length: steps }, (_, i) =>
      pending(
        topics.progress,
        sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage, message: `${stage} step ${i + 1}` }),
        { discriminator: `${stage}-${i}` },
      ),
    );
  const stages: PendingEvent[][] = [
    [pending(topics.requested, sampleValue(TOPICS.taskRequested, { taskId, tenantId, request }))],
    [
      ...progress('planning'),
      pending(topics.planned, sampleValue(TOPICS.taskPlanned, { taskId, tenantId, request })),
    ],
    [
      ...progress('researching'),
      pending(
        topics.research,
        sampleValue(TOPICS.researchCompleted, { taskId, tenantId, request, round: 1 }),
      ),
    ],
    [
      pending(
        topics.review,
        sampleValue(TOPICS.reviewCompleted, { taskId, tenantId, request, round: 1, verdict: 'approved' }),
      ),
    ],
    [pending(topics.ready, sampleValue(TOPICS.recommendationReady, { taskId, tenantId, userId, rounds: 1 }))],
  ];
  const envelopes: Envelope[] = [];
  let cause: Envelope | undefined;
  for (const stage of stages) {
    const caused = cause
      ? stage.map((event) => ({ ...event, options: { ...event.options, causedBy: cause! } }))
      : stage;
    const emitted = await producer.emitMany(caused);
    envelopes.push(...emitted);
    cause = emitted.at(-1);
  }
  return envelopes;
}

/**
 * Writes many task stories fast, for volume tests: values encoded through the registry serializer and
 * envelopes minted as the producer mints them (each event caused by the one before), sent with a plain
 * kafkajs producer in large batches, several in flight, `acks: 1`, no idempotence (nothing here is retried
 * into duplicates that matter). Ten events per task: requested, planned, research, review and ready, and
 * five progress events between them. Resolves with the number of events written.
 */
export async function produceTaskStoriesFast(
  kafka: Kafka,
  serializer: EventSerializer,
  topics: TaskTopics,
  tasks: number,
  options: { readonly tenants?: readonly string[]; readonly batch?: number; readonly inFlight?: number } = {},
): Promise<number> {
  const tenants = options.tenants ?? ['acme', 'globex', 'initech'];
  const batchSize = options.batch ?? 4_000;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let written = 0;
  let pending: { topic: string; messages: Message[] }[] = [];
  let queued = 0;
  const inFlight = new Set<Promise<unknown>>();
  let failure: Error | undefined;
  const flush = async () => {
    const topicMessages = pending;
    pending = [];
    queued = 0;
    const sent: Promise<unknown> = producer.sendBatch({ topicMessages, acks: 1 }).then(
      () => inFlight.delete(sent),
      (error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
        inFlight.delete(sent);
      },
    );
    inFlight.add(sent);
    if (inFlight.size >= (options.inFlight ?? 3)) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };
  try {
    for (let t = 0; t < tasks; t += 1) {
      const taskId = `bulk-${t}`;
      const tenantId = tenants[t % tenants.length]!;
      const request = { ...sampleValue(TOPICS.taskRequested).request, userId: `u${t % 50}` };
      const story: [TopicDefinition, unknown][] = [
        [topics.requested, sampleValue(TOPICS.taskRequested, { taskId, tenantId, request })],
        [topics.progress, sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage: 'planning' })],
        [topics.planned, sampleValue(TOPICS.taskPlanned, { taskId, tenantId, request })],
        [topics.progress, sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage: 'researching' })],
        [topics.progress, sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage: 'drafting' })],
        [topics.research, sampleValue(TOPICS.researchCompleted, { taskId, tenantId, request, round: 1 })],
        [topics.progress, sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage: 'reviewing' })],
        [
          topics.review,
          sampleValue(TOPICS.reviewCompleted, { taskId, tenantId, request, round: 1, verdict: 'approved' }),
        ],
        [topics.progress, sampleValue(TOPICS.taskProgress, { taskId, tenantId, stage: 'reviewing' })],
        [
          topics.ready,
          sampleValue(TOPICS.recommendationReady, { taskId, tenantId, userId: request.userId, rounds: 1 }),
        ],
      ];
      let cause: Envelope | undefined;
      for (const [index, [topic, value]] of story.entries()) {
        const envelope = mintEnvelope({
          eventType: topic.name,
          correlationId: taskId,
          tenantId,
          producer: 'bulk-test',
          schemaVersion: topic.schemaVersion,
          ...(cause ? { causedBy: cause } : {}),
          discriminator: String(index),
        });
        const message: Message = {
          key: taskId,
          value: await serializer.encode(topic as TopicDefinition<never>, value as never),
          headers: envelopeToHeaders(envelope),
        };
        let entry = pending.find((p) => p.topic === topic.name);
        if (entry === undefined) pending.push((entry = { topic: topic.name, messages: [] }));
        entry.messages.push(message);
        queued += 1;
        written += 1;
        cause = envelope;
        if (queued >= batchSize) await flush();
      }
    }
    if (queued > 0) await flush();
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return written;
  } finally {
    await producer.disconnect();
  }
}

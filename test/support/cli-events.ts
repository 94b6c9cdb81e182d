import { type Envelope, inNamespace, TOPICS, type TopicDefinition } from '@tributary/contracts';
import { type EventProducer, pending, type PendingEvent } from '@tributary/kafka';
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

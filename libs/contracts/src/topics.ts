import { type AvroRecordSchema, type InferAvro } from './avro';
import {
  RECOMMENDATION_READY,
  RESEARCH_COMPLETED,
  REVIEW_COMPLETED,
  TASK_CANCEL_REQUESTED,
  TASK_FAILED,
  TASK_PLANNED,
  TASK_PROGRESS,
  TASK_REQUESTED,
} from './schemas/events';

export interface TopicDefinition<S extends AvroRecordSchema = AvroRecordSchema> {
  /** `<domain>.<internal|external>.<entity>.<event>.v<major>`: a breaking change is a new major, never an edit. */
  readonly name: string;
  readonly schema: S;
  /** Internal topics are ours to change between majors; external ones are a promise to other services. */
  readonly visibility: 'internal' | 'external';
  /** Revision of the schema inside this major; bump it with every backward-compatible change and add a sample. */
  readonly schemaVersion: number;
  readonly summary: string;
  readonly producedBy: readonly string[];
  readonly consumedBy: readonly string[];
}

function topic<const S extends AvroRecordSchema>(definition: TopicDefinition<S>): TopicDefinition<S> {
  return definition;
}

/** Every topic Tributary produces or consumes. Nothing else may spell a topic name. */
export const TOPICS = {
  taskRequested: topic({
    name: 'tributary.internal.task.requested.v1',
    schema: TASK_REQUESTED,
    visibility: 'internal',
    schemaVersion: 2,
    summary: 'A client submitted a task.',
    producedBy: ['gateway'],
    consumedBy: ['planner-agent', 'gateway-projection', 'gateway-deadlines'],
  }),
  taskPlanned: topic({
    name: 'tributary.internal.task.planned.v1',
    schema: TASK_PLANNED,
    visibility: 'internal',
    schemaVersion: 3,
    summary: 'The planner produced research steps for a task.',
    producedBy: ['planner-agent'],
    consumedBy: ['research-agent', 'gateway-projection'],
  }),
  researchCompleted: topic({
    name: 'tributary.internal.research.completed.v1',
    schema: RESEARCH_COMPLETED,
    visibility: 'internal',
    schemaVersion: 3,
    summary: 'The research agent drafted recommendations for a review round.',
    producedBy: ['research-agent'],
    consumedBy: ['reviewer-agent', 'gateway-projection'],
  }),
  reviewCompleted: topic({
    name: 'tributary.internal.review.completed.v1',
    schema: REVIEW_COMPLETED,
    visibility: 'internal',
    schemaVersion: 3,
    summary: 'The reviewer approved a draft or sent it back with a critique.',
    producedBy: ['reviewer-agent'],
    consumedBy: ['research-agent', 'gateway-projection'],
  }),
  recommendationReady: topic({
    name: 'tributary.external.recommendation.ready.v1',
    schema: RECOMMENDATION_READY,
    visibility: 'external',
    schemaVersion: 1,
    summary: 'Public: reviewed, personalised recommendations for a user are ready.',
    producedBy: ['reviewer-agent'],
    consumedBy: ['gateway-projection', 'gateway-webhooks', 'gateway-in-flight', 'other services'],
  }),
  taskFailed: topic({
    name: 'tributary.internal.task.failed.v1',
    schema: TASK_FAILED,
    visibility: 'internal',
    schemaVersion: 2,
    summary: 'A task ended without a result.',
    producedBy: ['planner-agent', 'research-agent', 'reviewer-agent', 'gateway-deadlines'],
    consumedBy: ['gateway-projection', 'gateway-webhooks', 'gateway-in-flight'],
  }),
  taskCancelRequested: topic({
    name: 'tributary.internal.task.cancel-requested.v1',
    schema: TASK_CANCEL_REQUESTED,
    visibility: 'internal',
    schemaVersion: 1,
    summary: 'A client asked to cancel a task.',
    producedBy: ['gateway'],
    consumedBy: [
      'planner-agent',
      'research-agent',
      'reviewer-agent',
      'gateway-projection',
      'gateway-webhooks',
      'gateway-in-flight',
    ],
  }),
  taskProgress: topic({
    name: 'tributary.internal.task.progress.v1',
    schema: TASK_PROGRESS,
    visibility: 'internal',
    schemaVersion: 1,
    summary: 'Live progress of a task: stages, messages and streamed LLM tokens.',
    producedBy: ['planner-agent', 'research-agent', 'reviewer-agent'],
    consumedBy: ['gateway-projection'],
  }),
} as const;

export type Topics = typeof TOPICS;
export type TopicKey = keyof Topics;
export type AnyTopic = Topics[TopicKey];
export type TopicName = AnyTopic['name'];

/** The decoded value type of a topic, derived from its schema. */
export type EventValue<T extends TopicDefinition> = InferAvro<T['schema']>;

export type TopicByName<N extends TopicName> = Extract<AnyTopic, { name: N }>;

export const ALL_TOPICS: readonly AnyTopic[] = Object.values(TOPICS);

export function topicByName(name: string): AnyTopic | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}

/** Subject naming: Confluent's topic-name strategy. */
export function valueSubject(topicName: string): string {
  return `${topicName}-value`;
}

/** Every subject is held to transitive backward compatibility: a new schema must read all older data. */
export const SUBJECT_COMPATIBILITY = 'BACKWARD_TRANSITIVE' as const;

/**
 * Retry and dead-letter topics belong to a consumer group, so a failure in one group (say the
 * projection) never replays a message into another group that handled it fine.
 * Their values are the original bytes, copied unchanged, so they carry no schema of their own.
 */
export function retryTopic(group: string): string {
  return `tributary.internal.${group}.retry.v1`;
}

export function deadLetterTopic(group: string): string {
  return `tributary.internal.${group}.dlt.v1`;
}

/** Consumer groups of the shipped services; retry and dead-letter topics derive from these. */
export const CONSUMER_GROUPS = {
  planner: 'planner-agent',
  research: 'research-agent',
  reviewer: 'reviewer-agent',
  projection: 'gateway-projection',
  webhooks: 'gateway-webhooks',
  inFlight: 'gateway-in-flight',
  deadlines: 'gateway-deadlines',
} as const;

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * A catalogue topic inside a namespace: `<namespace>.<name>`, the same schema. A namespace keeps a
 * copy of the event flow apart from the live topics (a replay writes to one; tests read from one),
 * while its events stay readable with the catalogue's schemas. An empty namespace is the live topic.
 */
export function inNamespace<S extends AvroRecordSchema>(
  topic: TopicDefinition<S>,
  namespace: string,
): TopicDefinition<S> {
  if (namespace === '') return topic;
  if (!NAMESPACE_PATTERN.test(namespace))
    throw new Error(
      `a topic namespace is lower-case letters, digits, ".", "_" and "-" (starting with a letter or digit), got "${namespace}"`,
    );
  return { ...topic, name: `${namespace}.${topic.name}` };
}

/** A topic name or consumer group in a namespace: `<namespace>.<name>` ('' is the live one, unchanged). */
export function namespacedName(name: string, namespace: string): string {
  if (namespace === '') return name;
  if (!NAMESPACE_PATTERN.test(namespace))
    throw new Error(`a namespace is lower-case letters, digits, ".", "_" and "-", got "${namespace}"`);
  return `${namespace}.${name}`;
}

/**
 * The catalogue topic a (possibly namespaced) topic name stands for, with its namespace: how tools
 * find the schema of a topic named in a retry or dead-letter header. Undefined for a name the
 * catalogue does not know.
 */
export function resolveTopicName(
  name: string,
): { readonly topic: TopicDefinition; readonly namespace: string } | undefined {
  for (const topic of ALL_TOPICS as readonly TopicDefinition[]) {
    if (name === topic.name) return { topic, namespace: '' };
    if (name.endsWith(`.${topic.name}`)) {
      const namespace = name.slice(0, -topic.name.length - 1);
      if (NAMESPACE_PATTERN.test(namespace)) return { topic: inNamespace(topic, namespace), namespace };
    }
  }
  return undefined;
}

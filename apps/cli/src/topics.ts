import {
  ALL_TOPICS,
  inNamespace,
  resolveTopicName,
  TOPICS,
  type TopicDefinition,
} from '@tributary/contracts';
import { UsageError } from '@tributary/terminal';

/** `task.requested` for `tributary.internal.task.requested.v1`: what people type. */
export function shortTopicName(topic: TopicDefinition): string {
  return topic.name.replace(/^tributary\.(internal|external)\./, '').replace(/\.v\d+$/, '');
}

/**
 * A catalogue topic from what a user typed: its full name, its short name (`task.requested`,
 * `recommendation.ready`) or its key in the catalogue (`taskRequested`); in `namespace` if given.
 */
export function topicFromSpec(spec: string, namespace = ''): TopicDefinition {
  const keyed = (TOPICS as Record<string, TopicDefinition>)[spec];
  const found =
    keyed ??
    (ALL_TOPICS as readonly TopicDefinition[]).find((t) => t.name === spec || shortTopicName(t) === spec);
  if (found === undefined)
    throw new UsageError(
      `unknown topic "${spec}"; the catalogue has ${ALL_TOPICS.map((t) => shortTopicName(t)).join(', ')}`,
    );
  return inNamespace(found, namespace);
}

/** The catalogue name (no namespace) of an event type header, for matching `--event-type`. */
export function catalogueName(eventType: string): string | undefined {
  const resolved = resolveTopicName(eventType);
  if (resolved === undefined) return undefined;
  return resolved.namespace === ''
    ? resolved.topic.name
    : resolved.topic.name.slice(resolved.namespace.length + 1);
}

/** The short catalogue name (`task.requested`) of a topic name, whatever its namespace. */
export function eventKind(topicName: string): string {
  const name = catalogueName(topicName);
  const topic = (ALL_TOPICS as readonly TopicDefinition[]).find((t) => t.name === name);
  return topic === undefined ? topicName : shortTopicName(topic);
}

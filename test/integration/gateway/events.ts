import { type EventValue, readSample, type TopicDefinition } from '@tributary/contracts';

/** A catalogue sample re-keyed to a task (and patched): realistic payloads for hand-produced events. */
export function sample<T extends TopicDefinition>(
  topic: T,
  taskId: string,
  patch: Partial<EventValue<T>> = {},
): EventValue<T> {
  return { ...(readSample(topic) as EventValue<T>), ...patch, taskId, tenantId: 'default' };
}

import { type EventValue, readSample, type TopicKey, TOPICS, type Topics } from '@tributary/contracts';
import { type ProjectedEvent } from '../../../apps/gateway/src/task/task-state';
import { tenantId } from '../../../apps/gateway/src/task/tenant';

/**
 * Builds projected events from the contracts' stored samples, re-keyed to a task: unit tests of
 * the reducer and the event stream use realistic payloads without a broker.
 */
export class EventFactory {
  private counter = 0;
  private clock: number;

  constructor(
    readonly taskId: string,
    readonly tenant = tenantId('default'),
    start = Date.parse('2026-01-01T10:00:00Z'),
  ) {
    this.clock = start;
  }

  make<K extends TopicKey>(
    kind: K,
    patch: Partial<EventValue<Topics[K]>> = {},
    eventId?: string,
  ): ProjectedEvent {
    this.counter += 1;
    this.clock += 1_000;
    const sample = readSample(TOPICS[kind]) as Record<string, unknown>;
    const value = { ...sample, ...patch, taskId: this.taskId, tenantId: this.tenant };
    return {
      kind,
      eventId: eventId ?? `${this.taskId}-e${this.counter}`,
      tenantId: this.tenant,
      occurredAt: new Date(this.clock),
      value,
    } as unknown as ProjectedEvent;
  }
}

import { type EventValue, type TopicDefinition } from '@tributary/contracts';
import { type EmitOptions, type EventProducer, invalidPaths, type PendingEvent } from '@tributary/kafka';
import { Type } from 'avsc';

export interface EmittedEvent {
  readonly topic: TopicDefinition;
  readonly value: unknown;
  readonly options: EmitOptions;
}

/**
 * Stands in for the EventProducer of a unit under test: checks each value against its topic's
 * schema as the real serializer does, then records it instead of publishing it. `failWith` makes
 * the next publishes reject, as a broker that is down would.
 */
export class RecordingProducer {
  readonly emitted: EmittedEvent[] = [];
  private failure: Error | undefined;
  private readonly types = new Map<string, Type>();

  /** The producer to hand to the code under test (only `emit` and `emitMany` are implemented). */
  get producer(): EventProducer {
    return this as unknown as EventProducer;
  }

  failWith(error: Error | undefined): void {
    this.failure = error;
  }

  emit<T extends TopicDefinition>(topic: T, value: EventValue<T>, options: EmitOptions = {}): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const invalid = invalidPaths(this.typeOf(topic), value);
    if (invalid.length > 0)
      return Promise.reject(new Error(`${topic.name}: invalid value at ${invalid.join(', ')}`));
    this.emitted.push({ topic, value, options });
    return Promise.resolve();
  }

  /** Several events in one request: all recorded, or none when one is invalid. */
  emitMany(events: readonly PendingEvent[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    for (const event of events) {
      const invalid = invalidPaths(this.typeOf(event.topic), event.value);
      if (invalid.length > 0)
        return Promise.reject(new Error(`${event.topic.name}: invalid value at ${invalid.join(', ')}`));
    }
    this.emitted.push(...events);
    return Promise.resolve();
  }

  /** The values emitted on `topic`, in order. */
  values<T extends TopicDefinition>(topic: T): EventValue<T>[] {
    return this.emitted
      .filter((event) => event.topic.name === topic.name)
      .map((event) => event.value as EventValue<T>);
  }

  private typeOf(topic: TopicDefinition): Type {
    const type =
      this.types.get(topic.name) ?? Type.forSchema(topic.schema as Parameters<typeof Type.forSchema>[0]);
    this.types.set(topic.name, type);
    return type;
  }

  /** The topic names emitted, in order. */
  topics(): string[] {
    return this.emitted.map((event) => event.topic.name);
  }
}

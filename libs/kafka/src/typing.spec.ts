import { type EventValue, TOPICS } from '@tributary/contracts';
import { describe, expectTypeOf, it } from 'vitest';
import { type Delivery } from './delivery';
import { type EventProducer, pending } from './producer';
import { OnEvent } from './transport';

/** Compile-time contracts: these lines are checked by `tsc`; a @ts-expect-error that no longer errors fails the type-check. */
class PlannerHandlers {
  @OnEvent(TOPICS.taskRequested)
  onRequested(delivery: Delivery<typeof TOPICS.taskRequested>): Promise<void> {
    expectTypeOf(delivery.value.request.query).toBeString();
    return Promise.resolve();
  }

  // @ts-expect-error a handler whose argument is another topic's delivery does not compile
  @OnEvent(TOPICS.taskRequested)
  onWrongTopic(_delivery: Delivery<typeof TOPICS.taskPlanned>): Promise<void> {
    return Promise.resolve();
  }
}

function emitChecks(producer: EventProducer, requested: EventValue<typeof TOPICS.taskRequested>) {
  void producer.emit(TOPICS.taskRequested, requested);
  // @ts-expect-error a payload of the wrong shape for the topic does not compile
  void producer.emit(TOPICS.taskPlanned, requested);
  // @ts-expect-error nor does one for emitMany
  pending(TOPICS.taskFailed, { taskId: 't' });
}

describe('typed contracts', () => {
  it('derive handler and producer types from the topic schemas', () => {
    expectTypeOf<Delivery<typeof TOPICS.taskFailed>['value']['reason']>().toBeString();
    expectTypeOf(emitChecks).toBeFunction();
    expectTypeOf(PlannerHandlers).toBeConstructibleWith();
  });
});

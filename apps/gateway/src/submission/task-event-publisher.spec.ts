import { describe, expect, it } from 'vitest';
import { type EventValue, TOPICS } from '@tributary/contracts';
import { ProduceOutcomeUnknownError } from '@tributary/kafka';
import {
  type EmitsEvents,
  KafkaTaskEventPublisher,
  PublishNotSentError,
  PublishOutcomeUnknownError,
} from './task-event-publisher';

const cancel: EventValue<typeof TOPICS.taskCancelRequested> = {
  taskId: 'tsk_1',
  tenantId: 'default',
  reason: null,
  requestedAt: 1,
};

function publisher(emit: () => Promise<unknown>, timeoutMs = 1_000) {
  const producer: EmitsEvents = { emit };
  return new KafkaTaskEventPublisher(producer, timeoutMs);
}

describe('KafkaTaskEventPublisher', () => {
  it('resolves once the producer has the event', async () => {
    await expect(
      publisher(() => Promise.resolve()).publish(TOPICS.taskCancelRequested, cancel),
    ).resolves.toBe(undefined);
  });

  it('calls the outcome unknown when Kafka does not acknowledge in time, or the produce request failed', async () => {
    const late = await publisher(() => new Promise(() => undefined), 20)
      .publish(TOPICS.taskCancelRequested, cancel)
      .catch((error: unknown) => error);
    expect(late).toBeInstanceOf(PublishOutcomeUnknownError);
    const failed = await publisher(() => Promise.reject(new ProduceOutcomeUnknownError('request timed out')))
      .publish(TOPICS.taskCancelRequested, cancel)
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(PublishOutcomeUnknownError);
  });

  it('says the event was not sent when the producer failed before making a request', async () => {
    const cause = new Error('registry down');
    const failure = await publisher(() => Promise.reject(cause))
      .publish(TOPICS.taskCancelRequested, cancel)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishNotSentError);
    expect((failure as Error).cause).toBe(cause);
  });
});

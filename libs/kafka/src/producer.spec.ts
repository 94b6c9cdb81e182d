import { derivedEventId, mintEnvelope, ROOT_EVENT_INDEX, TOPICS } from '@tributary/contracts';
import { type Kafka, type Producer, type ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ProduceOutcomeUnknownError } from './errors';
import { EventProducer, pending } from './producer';
import { type EventSerializer } from './serializer';

const serializer: EventSerializer = {
  register: () => Promise.resolve(),
  encode: (_topic, value) => Promise.resolve(Buffer.from(JSON.stringify(value))),
  decode: () => Promise.reject(new Error('not used')),
};

/** A kafkajs producer whose requests the test answers one by one. */
function controlledProducer() {
  const requests: { batch: ProducerBatch; answer: (error?: Error) => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: ProducerBatch) =>
      new Promise((resolve, reject) => {
        requests.push({ batch, answer: (error) => (error ? reject(error) : resolve([])) });
      }),
  } as unknown as Producer;
  return { producer, requests };
}

function progress(taskId: string, message: string) {
  return pending(TOPICS.taskProgress, {
    taskId,
    tenantId: 'tenant-a',
    stage: 'research',
    message,
    tokenDelta: null,
    at: 1,
  });
}

/** The messages a request carries, as `<topic> <message>` in request order. */
function carried(batch: ProducerBatch): string[] {
  return (batch.topicMessages ?? []).flatMap(({ topic, messages }) =>
    messages.map((m) => `${topic} ${(JSON.parse(String(m.value)) as { message: string }).message}`),
  );
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('EventProducer', () => {
  it('sends an emit alone at once, and carries the emits made meanwhile together in the next request, in order', async () => {
    const { producer, requests } = controlledProducer();
    const events = new EventProducer({} as Kafka, serializer, { service: 'spec', producer });
    const first = events.emitMany([progress('t1', 'a')]);
    await settled();
    expect(requests).toHaveLength(1);
    const second = events.emitMany([progress('t2', 'b'), progress('t2', 'c')]);
    const third = events.emitMany([progress('t3', 'd')]);
    await settled();
    expect(requests).toHaveLength(1);

    requests[0]?.answer();
    await first;
    await settled();
    expect(requests).toHaveLength(2);
    const topic = TOPICS.taskProgress.name;
    expect(carried(requests[1]!.batch)).toEqual([`${topic} b`, `${topic} c`, `${topic} d`]);
    requests[1]?.answer();
    expect(await second).toHaveLength(2);
    expect(await third).toHaveLength(1);
  });

  it('fails every emit a failed request carried, and sends what waits after it', async () => {
    const { producer, requests } = controlledProducer();
    const events = new EventProducer({} as Kafka, serializer, { service: 'spec', producer });
    const first = events.emitMany([progress('t1', 'a')]);
    await settled();
    const second = events.emitMany([progress('t2', 'b')]);
    const third = events.emitMany([progress('t3', 'c')]);
    await settled();
    requests[0]?.answer(new Error('broker down'));
    await expect(first).rejects.toThrow('broker down');
    await settled();
    requests[1]?.answer(new Error('still down'));
    await expect(second).rejects.toThrow('still down');
    await expect(third).rejects.toThrow('still down');
    const fourth = events.emitMany([progress('t4', 'd')]);
    await settled();
    expect(requests).toHaveLength(3);
    requests[2]?.answer();
    expect(await fourth).toHaveLength(1);
  });

  it('places an event given a cause and a root index among the root events, its id and trace from the cause', async () => {
    const { producer, requests } = controlledProducer();
    const events = new EventProducer({} as Kafka, serializer, { service: 'spec', producer });
    const cause = mintEnvelope({
      eventType: TOPICS.taskRequested.name,
      correlationId: 't1',
      tenantId: 'tenant-a',
      producer: 'gateway',
      schemaVersion: 2,
    });
    const failed = {
      taskId: 't1',
      tenantId: 'tenant-a',
      stage: 'planning',
      code: 'deadline-exceeded',
      reason: 'late',
      failedAt: 1,
    };
    const emit = () =>
      events.emit(TOPICS.taskFailed, failed, { causedBy: cause, rootIndex: ROOT_EVENT_INDEX.deadline });

    const first = emit();
    await settled();
    requests[0]?.answer();
    const envelope = await first;
    const again = emit();
    await settled();
    requests[1]?.answer();

    expect(envelope.position).toEqual({ depth: 0, index: ROOT_EVENT_INDEX.deadline });
    expect(envelope.causationId).toBe(cause.eventId);
    expect(envelope.traceparent.split('-')[1]).toBe(cause.traceparent.split('-')[1]);
    expect((await again).eventId).toBe(envelope.eventId);
  });

  it('rejects with ProduceOutcomeUnknownError when the request failed, and with the cause itself when nothing was sent', async () => {
    const { producer, requests } = controlledProducer();
    const events = new EventProducer({} as Kafka, serializer, { service: 'spec', producer });
    const sent = events.emitMany([progress('t1', 'a')]);
    await settled();
    const cause = new Error('request timed out');
    requests[0]?.answer(cause);
    const failure = await sent.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProduceOutcomeUnknownError);
    expect((failure as Error).cause).toBe(cause);

    const refusing: EventSerializer = {
      ...serializer,
      encode: () => Promise.reject(new Error('registry down')),
    };
    const unsent = new EventProducer({} as Kafka, refusing, { service: 'spec', producer });
    const notSent = await unsent.emitMany([progress('t2', 'b')]).catch((error: unknown) => error);
    expect(notSent).not.toBeInstanceOf(ProduceOutcomeUnknownError);
    expect(requests).toHaveLength(1);
  });

  it('gives a root event emitted with a root key the same id every time, derived from its task', async () => {
    const { producer, requests } = controlledProducer();
    const events = new EventProducer({} as Kafka, serializer, { service: 'spec', producer });
    const value = { ...requested('tsk_1') };
    const emit = async (taskId: string, rootKey?: string) => {
      const envelope = events.emit(TOPICS.taskRequested, { ...value, taskId }, rootKey ? { rootKey } : {});
      await settled();
      requests.at(-1)?.answer();
      return (await envelope).eventId;
    };
    const first = await emit('tsk_1', 'submission');
    expect(await emit('tsk_1', 'submission')).toBe(first);
    expect(first).toBe(derivedEventId('root:tsk_1', TOPICS.taskRequested.name, 'submission'));
    expect(await emit('tsk_2', 'submission')).not.toBe(first);
    expect(await emit('tsk_1')).not.toBe(await emit('tsk_1'));
  });
});

function requested(taskId: string) {
  return {
    taskId,
    tenantId: 'tenant-a',
    request: {
      userId: 'u-alice',
      query: 'a sci-fi novel',
      constraints: { categories: [], minPrice: null, maxPrice: null, excludeItemIds: [], excludeTags: [] },
      maxResults: 5,
      priority: 'normal' as const,
      deadlineAt: 600_001,
    },
    callbackUrl: null,
    requestedAt: 1,
  };
}

import {
  envelopeToHeaders,
  FAILURE_HEADERS,
  MAY_REPEAT_HEADER,
  mintEnvelope,
  type TopicDefinition,
} from '@tributary/contracts';
import { type KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type UntypedDelivery } from '../delivery';
import { DecodeError, EventValidationError, PermanentError } from '../errors';
import { OffsetTracker } from '../offset-tracker';
import { type EventSerializer } from '../serializer';
import { Dispatcher } from './dispatch';
import { type PartitionState, workFor } from './work';

const topic = { name: 'tributary.internal.test.v1' } as TopicDefinition;

/** Values travel as JSON here; the registry-backed serializer has its own tests. */
const serializer: EventSerializer = {
  register: () => Promise.resolve(),
  encode: (_topic, value) => Promise.resolve(Buffer.from(JSON.stringify(value))),
  decode: (_topic, buffer) => Promise.resolve(JSON.parse(buffer.toString()) as never),
};

const envelope = mintEnvelope({
  eventType: 'test.happened',
  correlationId: 'task-1',
  tenantId: 'tenant-a',
  producer: 'tests',
  schemaVersion: 1,
});

function partition(name: string, number = 0, unseenFrom = 0): PartitionState {
  return {
    topic: name,
    partition: number,
    tracker: new OffsetTracker(0),
    revoked: false,
    highWatermark: 0,
    unseenFrom,
    running: new Set(),
  };
}

function message(overrides: Partial<Pick<KafkaMessage, 'value' | 'headers' | 'offset'>> = {}): KafkaMessage {
  return {
    key: Buffer.from('task-1'),
    value: Buffer.from(JSON.stringify({ seq: 1 })),
    headers: envelopeToHeaders(envelope),
    offset: '7',
    timestamp: '0',
    attributes: 0,
    ...overrides,
  };
}

function dispatcher() {
  const deliveries: UntypedDelivery[] = [];
  const dispatch = new Dispatcher({ serializer, retryTopic: 'group.retry' });
  dispatch.register(topic, (delivery) => {
    deliveries.push(delivery);
    return Promise.resolve();
  });
  return { dispatch, deliveries };
}

describe('Dispatcher', () => {
  it('hands the handler the decoded value, the envelope and where the event was published', async () => {
    const { dispatch, deliveries } = dispatcher();
    await dispatch.dispatch(workFor(partition(topic.name, 2), message(), 7, false));

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      topic: topic.name,
      partition: 2,
      offset: '7',
      key: 'task-1',
      value: { seq: 1 },
      envelope,
      attempt: 1,
      firstDelivery: true,
    });
    expect(deliveries[0]?.via).toBeUndefined();
  });

  it('calls a delivery first only past the end the partition had when this member was assigned it', async () => {
    const { dispatch, deliveries } = dispatcher();
    const state = partition(topic.name, 0, 8);
    await dispatch.dispatch(workFor(state, message({ offset: '7' }), 7, false));
    await dispatch.dispatch(workFor(state, message({ offset: '8' }), 8, false));
    const redriven = { ...envelopeToHeaders(envelope), [FAILURE_HEADERS.redrivenFrom]: 'group.dlt/0/3' };
    await dispatch.dispatch(workFor(state, message({ offset: '9', headers: redriven }), 9, false));
    expect(deliveries.map((d) => d.firstDelivery)).toEqual([false, true, false]);
  });

  it('calls no delivery first that its producer marked as a possible copy', async () => {
    const { dispatch, deliveries } = dispatcher();
    const state = partition(topic.name, 0, 8);
    const copy = { ...envelopeToHeaders(envelope), [MAY_REPEAT_HEADER]: '1' };
    await dispatch.dispatch(workFor(state, message({ offset: '9', headers: copy }), 9, false));
    await dispatch.dispatch(workFor(state, message({ offset: '10' }), 10, false));
    expect(deliveries.map((d) => d.firstDelivery)).toEqual([false, true]);
  });

  it('delivers a retry copy as its origin event, its attempt counted, and says where it was read', async () => {
    const { dispatch, deliveries } = dispatcher();
    const headers = {
      ...envelopeToHeaders(envelope),
      [FAILURE_HEADERS.originTopic]: topic.name,
      [FAILURE_HEADERS.originPartition]: '2',
      [FAILURE_HEADERS.originOffset]: '41',
      [FAILURE_HEADERS.attempts]: '1',
    };
    await dispatch.dispatch(workFor(partition('group.retry', 0), message({ headers, offset: '3' }), 3, true));

    expect(deliveries[0]).toMatchObject({
      topic: topic.name,
      partition: 2,
      offset: '41',
      attempt: 2,
      firstDelivery: false,
      via: { topic: 'group.retry', partition: 0, offset: '3' },
    });
  });

  it('refuses what cannot be delivered with a permanent error, so it is dead-lettered at once', async () => {
    const { dispatch, deliveries } = dispatcher();
    const cases: [ReturnType<typeof workFor>, new (...args: never[]) => PermanentError, RegExp][] = [
      [workFor(partition('group.retry'), message(), 7, true), PermanentError, /no origin headers/],
      [
        workFor(partition('unknown.topic'), message(), 7, false),
        PermanentError,
        /no handler for topic unknown\.topic/,
      ],
      [workFor(partition(topic.name), message({ value: null }), 7, false), DecodeError, /tombstone/],
      [
        workFor(partition(topic.name), message({ headers: {} }), 7, false),
        EventValidationError,
        /invalid envelope/,
      ],
    ];
    for (const [work, errorClass, text] of cases) {
      const refusal = dispatch.dispatch(work);
      await expect(refusal).rejects.toThrow(errorClass);
      await expect(refusal).rejects.toThrow(text);
      await expect(refusal).rejects.toMatchObject({ offset: '7', attempt: 1 });
    }
    expect(deliveries).toEqual([]);
  });

  it('passes a failing handler’s error on unchanged, and registers one handler per topic', async () => {
    const dispatch = new Dispatcher({ serializer, retryTopic: 'group.retry' });
    const failure = new Error('model timed out');
    dispatch.register(topic, () => Promise.reject(failure));

    await expect(dispatch.dispatch(workFor(partition(topic.name), message(), 7, false))).rejects.toBe(
      failure,
    );
    expect(() => dispatch.register(topic, () => Promise.resolve())).toThrow(/already registered/);
  });
});

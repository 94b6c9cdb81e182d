import { Logger } from '@nestjs/common';
import { envelopeToHeaders, mintEnvelope, TOPICS } from '@tributary/contracts';
import { DecodeError, type UndeliverableMessage } from '@tributary/kafka';
import { RecordingProducer } from '@tributary/testing/agents/recording-producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { UndeliverableEvents } from './undeliverable-events';

const envelope = mintEnvelope({
  eventType: TOPICS.taskPlanned.name,
  correlationId: 'tsk-1',
  tenantId: 'acme',
  producer: 'planner-agent',
  schemaVersion: 2,
  priority: 'high',
});

function unreadable(overrides: Partial<UndeliverableMessage> = {}): UndeliverableMessage {
  return {
    topic: TOPICS.taskPlanned.name,
    partition: 0,
    offset: '12',
    key: 'tsk-1',
    headers: envelopeToHeaders(envelope),
    attempts: 1,
    error: new DecodeError('unknown magic byte'),
    ...overrides,
  };
}

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('UndeliverableEvents', () => {
  it('fails the task named by the key, for the tenant of the envelope, as caused by the unreadable event', async () => {
    const recorder = new RecordingProducer();
    await new UndeliverableEvents(recorder.producer, 'researching').handle(unreadable());

    expect(recorder.values(TOPICS.taskFailed)).toEqual([
      {
        taskId: 'tsk-1',
        tenantId: 'acme',
        stage: 'researching',
        code: 'undecodable-event',
        reason: 'Research could not read an event of the task, so the task cannot go on.',
        failedAt: expect.any(Number) as number,
      },
    ]);
    expect(recorder.emitted[0]?.options).toMatchObject({
      key: 'tsk-1',
      tenantId: 'acme',
      causedBy: { eventId: envelope.eventId, traceparent: envelope.traceparent, priority: 'high' },
    });
  });

  it('fails nothing it cannot address (no key, no tenant, a key its envelope contradicts), nor for a cancel request', async () => {
    const recorder = new RecordingProducer();
    const events = new UndeliverableEvents(recorder.producer, 'planning');
    const { tenantId: _dropped, ...withoutTenant } = envelopeToHeaders(envelope);

    await events.handle(unreadable({ key: null }));
    await events.handle(unreadable({ headers: withoutTenant }));
    await events.handle(unreadable({ key: 'tsk-2' }));
    await events.handle(unreadable({ topic: TOPICS.taskCancelRequested.name }));

    expect(recorder.emitted).toEqual([]);
  });
});

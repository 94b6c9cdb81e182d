import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { renderAsyncApi } from './asyncapi';
import { EnvelopeError, envelopeFromHeaders, envelopeToHeaders, mintEnvelope } from './envelope';
import { readSample } from './samples';
import { ALL_TOPICS, TOPICS } from './topics';

const ROOT = join(__dirname, '..', '..', '..');

describe('topic catalogue', () => {
  it('names every topic <domain>.<internal|external>.<entity>.<event>.v<major>, once', () => {
    const names = ALL_TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of ALL_TOPICS) {
      expect(topic.name).toMatch(/^tributary\.(internal|external)\.[a-z-]+\.[a-z-]+\.v\d+$/);
      expect(topic.name.split('.')[1]).toBe(topic.visibility);
    }
  });

  it.each(ALL_TOPICS.map((t) => [t.name, t] as const))(
    '%s has a valid Avro schema and a sample per version',
    (_, topic) => {
      const type = avro.Type.forSchema(topic.schema as unknown as avro.Schema);
      for (let version = 1; version <= topic.schemaVersion; version++) {
        const sample = readSample(topic, version);
        const errors: string[] = [];
        type.isValid(sample, { errorHook: (path) => errors.push(path.join('.')) });
        expect(errors).toEqual([]);
        // An older sample reads with the fields added since at their defaults.
        if (version === topic.schemaVersion) expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
        else expect(type.fromBuffer(type.toBuffer(sample))).toMatchObject(sample as object);
      }
    },
  );

  it('rejects a value the schema does not describe', () => {
    const type = avro.Type.forSchema(TOPICS.taskFailed.schema as unknown as avro.Schema);
    expect(type.isValid({ taskId: 't', tenantId: 'x', stage: 'planning', reason: 42, failedAt: 1 })).toBe(
      false,
    );
  });
});

describe('envelope', () => {
  it('round-trips through Kafka headers and keeps the trace id of its cause', () => {
    const cause = mintEnvelope({
      eventType: 'a',
      correlationId: 'task-1',
      tenantId: 't',
      producer: 'gateway',
      schemaVersion: 1,
    });
    const effect = mintEnvelope({
      eventType: 'b',
      correlationId: 'task-1',
      tenantId: 't',
      producer: 'planner-agent',
      schemaVersion: 1,
      causedBy: cause,
    });
    const headers = Object.fromEntries(
      Object.entries(envelopeToHeaders(effect)).map(([k, v]) => [k, Buffer.from(v)]),
    );
    const decoded = envelopeFromHeaders(headers);
    expect(decoded).toEqual(effect);
    expect(decoded.causationId).toBe(cause.eventId);
    expect(decoded.traceparent.split('-')[1]).toBe(cause.traceparent.split('-')[1]);
    expect(decoded.traceparent.split('-')[2]).not.toBe(cause.traceparent.split('-')[2]);
  });

  it('derives the id of a caused event from its cause, so a handler that runs twice emits the same ids', () => {
    const cause = mintEnvelope({
      eventType: 'a',
      correlationId: 'c',
      tenantId: 't',
      producer: 'p',
      schemaVersion: 1,
    });
    const mint = (discriminator?: string) =>
      mintEnvelope({
        eventType: 'b',
        correlationId: 'c',
        tenantId: 't',
        producer: 'p',
        schemaVersion: 1,
        causedBy: cause,
        discriminator,
      });
    expect(mint().eventId).toBe(mint().eventId);
    expect(mint().eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mint('step-1').eventId).not.toBe(mint('step-2').eventId);
    const root = () =>
      mintEnvelope({ eventType: 'a', correlationId: 'c', tenantId: 't', producer: 'p', schemaVersion: 1 });
    expect(root().eventId).not.toBe(root().eventId);
  });

  it('names the missing header', () => {
    const headers = envelopeToHeaders(
      mintEnvelope({ eventType: 'a', correlationId: 'c', tenantId: 't', producer: 'p', schemaVersion: 1 }),
    );
    delete headers.tenantId;
    expect(() => envelopeFromHeaders(headers)).toThrow(new EnvelopeError('missing header "tenantId"'));
  });
});

describe('AsyncAPI document', () => {
  it('docs/asyncapi.json matches the catalogue (run `npm run contracts:docs` after changing a topic)', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    const committed = readFileSync(join(ROOT, 'docs', 'asyncapi.json'), 'utf8');
    expect(committed).toBe(renderAsyncApi(version));
  });
});

describe('envelope priority', () => {
  it('is inherited from the cause, can be set, and reads as normal when the header is missing', () => {
    const root = mintEnvelope({
      eventType: 'a',
      correlationId: 'c',
      tenantId: 't',
      producer: 'p',
      schemaVersion: 1,
      priority: 'high',
    });
    const child = mintEnvelope({
      eventType: 'b',
      correlationId: 'c',
      tenantId: 't',
      producer: 'p',
      schemaVersion: 1,
      causedBy: root,
    });
    expect(child.priority).toBe('high');
    const headers = envelopeToHeaders(child);
    expect(envelopeFromHeaders(headers).priority).toBe('high');
    delete headers.priority;
    expect(envelopeFromHeaders(headers).priority).toBe('normal');
  });
});

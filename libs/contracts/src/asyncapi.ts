import { HEADERS, PRIORITIES } from './envelope';
import { readSample } from './samples';
import { ALL_TOPICS, type AnyTopic, SUBJECT_COMPATIBILITY, valueSubject } from './topics';

const AVRO_FORMAT = 'application/vnd.apache.avro;version=1.9.0';

function messageName(topic: AnyTopic): string {
  return topic.schema.name;
}

function channelId(topic: AnyTopic): string {
  return topic.name.replace(/^tributary\./, '').replace(/[^a-zA-Z0-9]+/g, '-');
}

const envelopeHeaders = {
  type: 'object',
  required: Object.values(HEADERS).filter(
    (h) => h !== HEADERS.causationId && h !== HEADERS.priority && h !== HEADERS.position,
  ),
  properties: {
    [HEADERS.eventId]: {
      type: 'string',
      format: 'uuid',
      description: 'Minted by the producer; consumers deduplicate on it.',
    },
    [HEADERS.eventType]: { type: 'string', description: 'The topic the event was first published to.' },
    [HEADERS.correlationId]: { type: 'string', description: 'The task id.' },
    [HEADERS.causationId]: {
      type: 'string',
      description: 'The eventId of the event that caused this one; absent on root events.',
    },
    [HEADERS.tenantId]: { type: 'string' },
    [HEADERS.traceparent]: { type: 'string', description: 'W3C trace context.' },
    [HEADERS.occurredAt]: { type: 'string', format: 'date-time' },
    [HEADERS.producer]: { type: 'string', description: 'The service that produced the event.' },
    [HEADERS.schemaVersion]: {
      type: 'string',
      description: 'Revision of the schema inside the topic major.',
    },
    [HEADERS.priority]: {
      type: 'string',
      enum: PRIORITIES,
      description: 'Scheduling class, inherited from the cause; absent reads as normal.',
    },
    [HEADERS.position]: {
      type: 'string',
      pattern: '^[0-9]+\\.[0-9]+$',
      description:
        "`depth.index` in the task's causal order: depth is the cause's depth plus one (0 for a root event), " +
        'index counts the events emitted for the same cause. Ordering by it is the order in which they happened.',
    },
  },
} as const;

/** The AsyncAPI 3 description of every topic, generated from the catalogue; docs/asyncapi.json is its output. */
export function buildAsyncApi(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const topic of ALL_TOPICS) {
    const id = channelId(topic);
    const name = messageName(topic);
    channels[id] = {
      address: topic.name,
      title: topic.name,
      summary: topic.summary,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      bindings: { kafka: { topicConfiguration: { 'retention.ms': -1, 'cleanup.policy': ['delete'] } } },
      tags: [{ name: topic.visibility }],
    };
    for (const service of topic.producedBy) {
      operations[`${service}.send.${id}`] = {
        action: 'send',
        title: `${service} publishes ${name}`,
        channel: { $ref: `#/channels/${id}` },
      };
    }
    for (const service of topic.consumedBy) {
      operations[`${service.replace(/\s+/g, '-')}.receive.${id}`] = {
        action: 'receive',
        title: `${service} consumes ${name}`,
        channel: { $ref: `#/channels/${id}` },
      };
    }
    messages[name] = {
      name,
      title: name,
      summary: topic.summary,
      contentType: 'application/octet-stream',
      headers: envelopeHeaders,
      payload: { schemaFormat: AVRO_FORMAT, schema: topic.schema },
      bindings: {
        kafka: {
          key: {
            type: 'string',
            description: 'The task id: every event of one task goes to one partition, in order.',
          },
          schemaIdLocation: 'payload',
          schemaIdPayloadEncoding: 'confluent',
          schemaLookupStrategy: 'TopicIdStrategy',
        },
      },
      examples: [{ name: `v${topic.schemaVersion}`, payload: readSample(topic) }],
      'x-subject': valueSubject(topic.name),
      'x-compatibility': SUBJECT_COMPATIBILITY,
      'x-schema-version': topic.schemaVersion,
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Tributary events',
      version,
      description:
        'Every event Tributary publishes. Values are Avro in the Confluent wire format (magic byte, 4-byte schema id, Avro body), ' +
        'registered under `<topic>-value` with transitive backward compatibility. Generated from libs/contracts; do not edit by hand.',
    },
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The local stack started by `npm run stack -- up`.',
      },
    },
    defaultContentType: 'application/octet-stream',
    channels,
    operations,
    components: { messages },
  };
}

export function renderAsyncApi(version: string): string {
  return `${JSON.stringify(buildAsyncApi(version), null, 2)}\n`;
}

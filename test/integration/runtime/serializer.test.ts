import { SUBJECT_COMPATIBILITY, type TopicDefinition, valueSubject } from '@tributary/contracts';
import {
  DecodeError,
  EventValidationError,
  RegistrySerializer,
  SchemaIncompatibleError,
  toWireFormat,
  wireSchemaId,
} from '@tributary/kafka';
import { testConfig, testTopic } from '@tributary/testing';
import { describe, expect, it } from 'vitest';

const config = testConfig();

async function registryGet<T>(path: string): Promise<T> {
  const response = await fetch(`${config.registryUrl}${path}`);
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

function withSchema<const S extends TopicDefinition['schema']>(
  topic: TopicDefinition,
  schema: S,
): TopicDefinition<S> {
  return { ...topic, schema, schemaVersion: topic.schemaVersion + 1 };
}

const value = { taskId: 'task-1', tenantId: 'tenant-a', seq: 7, note: 'héllo wörld' };

describe('RegistrySerializer against the schema registry', () => {
  it('decodes what it encoded to an equal value', async () => {
    const topic = testTopic();
    const serializer = new RegistrySerializer({ registryUrl: config.registryUrl });
    const bytes = await serializer.encode(topic, value);
    expect(bytes[0]).toBe(0);
    expect(await serializer.decode(topic, bytes)).toEqual(value);
    // A second instance (another service) reads it through the registry alone.
    const reader = new RegistrySerializer({ registryUrl: config.registryUrl });
    expect(await reader.decode(topic, bytes)).toEqual(value);
  });

  it(`registers under <topic>-value with ${SUBJECT_COMPATIBILITY} and gets the same id back on re-registration`, async () => {
    const topic = testTopic();
    const first = new RegistrySerializer({ registryUrl: config.registryUrl });
    await first.register([topic]);
    const id = await first.schemaIdFor(topic);

    const subject = valueSubject(topic.name);
    const latest = await registryGet<{ id: number; version: number; schema: string }>(
      `/subjects/${subject}/versions/latest`,
    );
    expect(latest.id).toBe(id);
    expect(JSON.parse(latest.schema)).toEqual(topic.schema);
    const level = await registryGet<{ compatibilityLevel: string }>(`/config/${subject}`);
    expect(level.compatibilityLevel).toBe('BACKWARD_TRANSITIVE');

    const second = new RegistrySerializer({ registryUrl: config.registryUrl });
    await second.register([topic]);
    expect(await second.schemaIdFor(topic)).toBe(id);
    expect(await registryGet<number[]>(`/subjects/${subject}/versions`)).toEqual([1]);
  });

  it('registers a new subject from many processes at once: each gets the one id', async () => {
    const topic = testTopic();
    const serializers = Array.from(
      { length: 6 },
      () => new RegistrySerializer({ registryUrl: config.registryUrl }),
    );
    await Promise.all(serializers.map((serializer) => serializer.register([topic])));
    const ids = await Promise.all(serializers.map((serializer) => serializer.schemaIdFor(topic)));
    expect(new Set(ids).size).toBe(1);
    // Apicurio may record a second version of the same schema in such a race; every one has that id.
    const subject = valueSubject(topic.name);
    for (const version of await registryGet<number[]>(`/subjects/${subject}/versions`)) {
      const registered = await registryGet<{ id: number }>(`/subjects/${subject}/versions/${version}`);
      expect(registered.id).toBe(ids[0]);
    }
  });

  it('refuses an incompatible change: a new required field without a default', async () => {
    const topic = testTopic();
    await new RegistrySerializer({ registryUrl: config.registryUrl }).register([topic]);
    const breaking = withSchema(topic, {
      ...topic.schema,
      fields: [...topic.schema.fields, { name: 'priority', type: 'int' }],
    });
    const error = await new RegistrySerializer({ registryUrl: config.registryUrl })
      .register([breaking])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as SchemaIncompatibleError).subject).toBe(valueSubject(topic.name));
  });

  it('accepts a field with a default and reads old data through the new schema', async () => {
    const topic = testTopic();
    const v1 = new RegistrySerializer({ registryUrl: config.registryUrl });
    const oldBytes = await v1.encode(topic, value);
    const evolved = withSchema(topic, {
      ...topic.schema,
      fields: [...topic.schema.fields, { name: 'priority', type: 'int', default: 5 }],
    });
    const v2 = new RegistrySerializer({ registryUrl: config.registryUrl });
    await v2.register([evolved]);
    expect(await v2.schemaIdFor(evolved)).not.toBe(await v1.schemaIdFor(topic));
    expect(await v2.decode(evolved, oldBytes)).toEqual({ ...value, priority: 5 });
  });

  it('refuses to encode a value that breaks the schema, naming the fields at fault', async () => {
    const topic = testTopic();
    const serializer = new RegistrySerializer({ registryUrl: config.registryUrl });
    const bad = { ...value, seq: 'seven', note: undefined } as unknown as typeof value;
    const error = await serializer.encode(topic, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).paths).toEqual(['seq', 'note']);
  });

  it('reports garbage bytes and unknown schema ids as DecodeError', async () => {
    const topic = testTopic();
    const serializer = new RegistrySerializer({ registryUrl: config.registryUrl });
    await expect(serializer.decode(topic, Buffer.from('{"not":"avro"}'))).rejects.toBeInstanceOf(DecodeError);
    await expect(serializer.decode(topic, Buffer.from([0, 1]))).rejects.toBeInstanceOf(DecodeError);
    const unknownId = toWireFormat(2_000_000_000, Buffer.from([2, 0x61]));
    expect(wireSchemaId(unknownId)).toBe(2_000_000_000);
    await expect(serializer.decode(topic, unknownId)).rejects.toBeInstanceOf(DecodeError);
    // A valid header with a truncated body.
    const good = await serializer.encode(topic, value);
    await expect(serializer.decode(topic, good.subarray(0, good.length - 3))).rejects.toBeInstanceOf(
      DecodeError,
    );
  });

  it('refuses bytes written with another topic’s schema as an EventValidationError', async () => {
    const topic = testTopic();
    const other = withSchema(testTopic(), {
      type: 'record',
      name: 'Unrelated',
      namespace: 'dev.tributary.test',
      fields: [{ name: 'weight', type: 'double' }],
    });
    const serializer = new RegistrySerializer({ registryUrl: config.registryUrl });
    const foreign = await serializer.encode(other, { weight: 1.5 });
    await expect(serializer.decode(topic, foreign)).rejects.toBeInstanceOf(EventValidationError);
  });
});

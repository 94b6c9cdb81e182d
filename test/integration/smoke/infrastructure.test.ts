import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { testConfig, uniqueName } from '@tributary/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';

/** Proof that the parts are real: a Kafka broker, a Confluent-compatible registry, a MongoDB-wire server. */
const config = testConfig();
const kafka = new Kafka({ clientId: 'smoke', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });

describe('Kafka broker', () => {
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumers: ReturnType<typeof kafka.consumer>[] = [];

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('creates a topic through the admin API', async () => {
    const topic = uniqueName('smoke-admin');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });

  it('delivers what a producer wrote to a consumer group', async () => {
    const topic = uniqueName('smoke-group');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    const sent = ['one', 'two', 'three'];
    await producer.send({ topic, messages: sent.map((value) => ({ key: 'k', value })) });

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          received.push(message.value?.toString() ?? '');
          if (received.length === sent.length) resolve();
          return Promise.resolve();
        },
      });
    });
    await done;
    expect(received).toEqual(sent);
  });
});

describe('schema registry', () => {
  const registry = new SchemaRegistry({ host: config.registryUrl });
  const schema = (fields: object[]) => ({
    type: SchemaType.AVRO as const,
    schema: JSON.stringify({ type: 'record', name: 'Smoke', namespace: 'dev.tributary.smoke', fields }),
  });
  const v1 = schema([{ name: 'id', type: 'string' }]);

  it('registers a schema and round-trips a value in the Confluent wire format', async () => {
    const subject = `${uniqueName('smoke-registry')}-value`;
    const { id } = await registry.register(v1, { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE });
    const encoded = await registry.encode(id, { id: 'a-1' });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: 'a-1' });
  });

  it('refuses an incompatible change under transitive backward compatibility', async () => {
    const subject = `${uniqueName('smoke-compat')}-value`;
    await registry.register(v1, { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE });
    // A new required field without a default cannot read older data.
    const incompatible = schema([
      { name: 'id', type: 'string' },
      { name: 'owner', type: 'string' },
    ]);
    await expect(
      registry.register(incompatible, { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE }),
    ).rejects.toThrow(/incompatible|409|compatib/i);
    const compatible = schema([
      { name: 'id', type: 'string' },
      { name: 'owner', type: ['null', 'string'], default: null },
    ]);
    await expect(
      registry.register(compatible, { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE }),
    ).resolves.toHaveProperty('id');
  });
});

describe('MongoDB-wire server', () => {
  const connection = mongoose.createConnection(config.mongoUri, { serverSelectionTimeoutMS: 10_000 });
  const Thing = connection.model(
    'SmokeThing',
    new mongoose.Schema({ key: { type: String, required: true, unique: true }, n: Number }),
    uniqueName('smoke').replace(/\./g, '_'),
  );

  afterAll(async () => {
    await Thing.collection.drop().catch(() => undefined);
    await connection.close();
  });

  it('writes and reads a document with mongoose', async () => {
    await Thing.init();
    await Thing.create({ key: 'a', n: 1 });
    const found = await Thing.findOne({ key: 'a' }).lean();
    expect(found?.n).toBe(1);
  });

  it('reports a duplicate key on a unique index as such', async () => {
    await Thing.init();
    await Thing.create({ key: 'dup', n: 1 });
    const error = await Thing.create({ key: 'dup', n: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 11000 });
  });

  // The projection's hot paths look documents up by _id only (docs/adr/0005). Stock FerretDB 1.24 on
  // SQLite scans the whole table for that; the stack builds it with stack/ferretdb/patches.json applied.
  it('finds a document by _id through the _id index, not a scan', async () => {
    await Thing.init();
    await Thing.create({ key: 'by-id', n: 3 });
    const explained: Record<string, unknown> = await connection.db!.command({
      explain: { find: Thing.collection.collectionName, filter: { _id: 'some-id' } },
    });
    const serverInfo = explained.serverInfo as Record<string, unknown> | undefined;
    if (serverInfo && 'ferretdbVersion' in serverInfo) {
      expect(JSON.stringify(explained.queryPlanner)).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    } else {
      expect(JSON.stringify(explained.queryPlanner)).not.toContain('COLLSCAN');
    }
  });
});

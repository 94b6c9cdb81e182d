import { pending, readRange, toWireFormat } from '@tributary/kafka';
import { RuntimeHarness, testConfig, testTopic, waitFor } from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
});

describe('readRange', () => {
  it('reads an offset range of a topic, decoded, in order, and leaves no consumer group behind', async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1' })));
    const topic = testTopic();
    await h.prepare(topic);
    await h.producer.emitMany(
      Array.from({ length: 10 }, (_, seq) =>
        pending(topic, { taskId: 'task', tenantId: 't', seq, note: `n${seq}` }),
      ),
    );
    await h.producer.send({
      topic: topic.name,
      messages: [{ key: 'task', value: toWireFormat(1_999_999_999, Buffer.from([1])) }],
    });

    const seqs: number[] = [];
    for await (const record of readRange({
      kafka: h.kafka,
      serializer: h.serializer,
      topic,
      fromOffset: 3,
      toOffset: 6,
    })) {
      if (!record.ok) throw record.error;
      expect(record.envelope?.correlationId).toBe('task');
      seqs.push(record.value.seq);
    }
    expect(seqs).toEqual([3, 4, 5, 6]);

    const all = [];
    for await (const record of readRange({ kafka: h.kafka, serializer: h.serializer, topic }))
      all.push(record);
    expect(all).toHaveLength(11);
    expect(all.slice(0, 10).every((r) => r.ok)).toBe(true);
    expect(all[10]?.ok).toBe(false);

    const admin = await h.admin.connected();
    await waitFor(
      async () =>
        (await admin.listGroups()).groups.every((g) => !g.groupId.startsWith('tributary.read-range.')),
      {
        description: 'the throwaway groups deleted',
      },
    );
  });
});

import { LiveTail, partitionOfKey, pending, type RangeRecord, readRanges } from '@tributary/kafka';
import { RuntimeHarness, testConfig, testTopic, uniqueName, waitFor } from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('LiveTail', () => {
  it('hands the events of listened keys from its start on, decoded, and leaves no group behind', async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '3' })));
    const topic = testTopic();
    await h.prepare(topic);
    const emit = (key: string, seq: number) =>
      h.producer.emitMany([pending(topic, { taskId: key, tenantId: 'tenant-a', seq, note: '' })]);
    await emit('task-a', 0);

    const tail = new LiveTail({
      kafka: h.kafka,
      serializer: h.serializer,
      topics: [topic],
      groupPrefix: uniqueName('tail'),
    });
    h.onClose(() => tail.stop());
    const seen: RangeRecord<typeof topic>[] = [];
    tail.listen('task-a', (record) => seen.push(record));
    await tail.start();

    await emit('task-b', 1);
    await emit('task-a', 2);
    await emit('task-a', 3);
    await waitFor(() => seen.length === 2, { description: 'the two new events of task-a' });
    expect(seen.map((r) => (r.ok ? r.value.seq : r.error.message))).toEqual([2, 3]);
    expect(seen.every((r) => r.partition === partitionOfKey('task-a', 3))).toBe(true);
    expect(seen[0]?.envelope?.correlationId).toBe('task-a');

    // What happened before the tail started is read from the log: one key, on its one partition.
    const history: number[] = [];
    for await (const batch of readRanges({
      kafka: h.kafka,
      serializer: h.serializer,
      topics: [topic],
      partitions: [partitionOfKey('task-a', 3)],
      keys: new Set(['task-a']),
    }))
      for (const record of batch.records)
        if (record.ok) history.push((record.value as unknown as { seq: number }).seq);
    expect(history).toEqual([0, 2, 3]);

    const groups = async () => (await (await h.admin.connected()).listGroups()).groups.map((g) => g.groupId);
    await tail.stop();
    expect((await groups()).filter((g) => g.startsWith('tail'))).toEqual([]);
  });
});

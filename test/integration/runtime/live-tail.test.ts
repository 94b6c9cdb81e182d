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

  it("keeps what it read for recent(): a key's events from memory, and says when it cannot hold them all", async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '3' })));
    const topic = testTopic();
    await h.prepare(topic);
    const emit = (key: string, seq: number) =>
      h.producer.emitMany([
        pending(topic, { taskId: key, tenantId: 'tenant-a', seq, note: 'x'.repeat(200) }),
      ]);
    await emit('task-a', 0);

    const tail = new LiveTail({
      kafka: h.kafka,
      serializer: h.serializer,
      topics: [topic],
      groupPrefix: uniqueName('tail'),
      retainMs: 60_000,
      retainBytes: 5_000,
    });
    h.onClose(() => tail.stop());
    const beforeStart = new Date();
    await tail.start();
    const started = new Date();
    // Nobody listens: the tail keeps the records anyway.
    await emit('task-a', 1);
    await emit('task-b', 2);
    await emit('task-a', 3);
    const seqs = (records: RangeRecord<typeof topic>[] | undefined) =>
      records?.map((r) => (r.ok ? r.value.seq : r.error.message));
    await waitFor(async () => seqs(await tail.recent('task-a', started))?.length === 2, {
      description: 'the two events of task-a after the start, in memory',
    });
    expect(seqs(await tail.recent('task-a', started))).toEqual([1, 3]);
    expect(seqs(await tail.recent('task-b', started))).toEqual([2]);
    expect(seqs(await tail.recent('task-c', started))).toEqual([]);
    // Seq 0 was published before the tail started: memory cannot answer for that time.
    expect(await tail.recent('task-a', beforeStart)).toBeUndefined();

    // Over its byte budget it drops its oldest records, and no longer answers for their time.
    let seq = 4;
    await waitFor(
      async () => {
        await emit('task-d', seq++);
        return (await tail.recent('task-a', started)) === undefined;
      },
      { description: 'the oldest records dropped for the byte budget' },
    );
    // It still answers for what arrives from now on.
    expect(await tail.recent('task-d', new Date())).toBeDefined();
  });
});

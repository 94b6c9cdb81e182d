import { FAILURE_HEADERS, headerString } from '@tributary/contracts';
import { pending, PermanentError, redrive, redriveGroup } from '@tributary/kafka';
import { RuntimeHarness, testConfig, testTopic, uniqueName, waitFor } from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
});

describe('redrive', () => {
  it('brings dead letters back to their topic once, where they are handled; filters leave the rest for later', async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1' })));
    const topic = testTopic();
    await h.prepare(topic);
    const group = uniqueName('group');
    const envelopes = await h.producer.emitMany([
      pending(topic, { taskId: 'a', tenantId: 't', seq: 0, note: 'poison' }),
      pending(topic, { taskId: 'b', tenantId: 't', seq: 1, note: 'fine' }),
      pending(topic, { taskId: 'c', tenantId: 't', seq: 2, note: 'poison' }),
      pending(topic, { taskId: 'd', tenantId: 't', seq: 3, note: 'poison' }),
    ]);

    let fixed = false;
    const handled: { seq: number; attempt: number; redrivenFrom: string | undefined }[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(topic, ({ value, attempt, headers }) => {
      if (value.note === 'poison' && !fixed) return Promise.reject(new PermanentError('bug in the handler'));
      handled.push({
        seq: value.seq,
        attempt,
        redrivenFrom: headerString(headers, FAILURE_HEADERS.redrivenFrom),
      });
      return Promise.resolve();
    });
    await consumer.start();
    await waitFor(() => consumer.metrics().deadLettered === 3 && handled.length === 1, {
      description: 'three dead letters',
    });

    // A dry run reports and moves nothing.
    const dry = await redrive({ kafka: h.kafka, producer: h.producer, group, dryRun: true });
    expect(dry.records.map((r) => r.eventId).sort()).toEqual(
      [envelopes[0], envelopes[2], envelopes[3]].map((e) => e?.eventId).sort(),
    );
    expect(dry.records.every((r) => r.errorClass === 'PermanentError' && r.originTopic === topic.name)).toBe(
      true,
    );
    expect(await h.committedOffset(redriveGroup(group), consumer.deadLetterTopic)).toBe(-1);

    // The handler is fixed; redrive one letter by event id first, then everything else.
    fixed = true;
    const target = envelopes[2]?.eventId;
    const one = await redrive({ kafka: h.kafka, producer: h.producer, group, filter: { eventId: target } });
    expect(one.records.map((r) => r.eventId)).toEqual([target]);
    expect(one.skipped).toBe(2);
    await waitFor(() => handled.length === 2, { description: 'the redriven letter handled' });

    const rest = await redrive({ kafka: h.kafka, producer: h.producer, group });
    expect(rest.records.map((r) => r.eventId).sort()).toEqual(
      [envelopes[0], envelopes[3]].map((e) => e?.eventId).sort(),
    );
    expect(rest.alreadyMoved).toBe(1);
    await waitFor(() => handled.length === 4, { description: 'all redriven letters handled' });

    // Nothing is moved twice.
    const again = await redrive({ kafka: h.kafka, producer: h.producer, group });
    expect(again.records).toEqual([]);
    await waitFor(() => consumer.metrics().partitions.every((p) => p.lag === 0), {
      description: 'all committed',
    });
    expect(handled).toHaveLength(4);

    const redriven = handled.filter((x) => x.redrivenFrom !== undefined);
    expect(redriven.map((x) => x.seq).sort()).toEqual([0, 2, 3]);
    expect(
      redriven.every((x) => x.attempt === 1 && x.redrivenFrom?.startsWith(`${consumer.deadLetterTopic}/0/`)),
    ).toBe(true);
  });
});

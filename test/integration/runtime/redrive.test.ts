import { FAILURE_HEADERS, headerString } from '@tributary/contracts';
import { pending, PermanentError, redrive, redriveGroup } from '@tributary/kafka';
import { RuntimeHarness, testConfig, testTopic, uniqueName, waitFor } from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
});

describe('redrive', () => {
  it('brings dead letters back to their group once, where they are handled; filters leave the rest for later', async () => {
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
    const handled: {
      seq: number;
      attempt: number;
      redrivenFrom: string | undefined;
      topic: string;
      via: string | undefined;
    }[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(topic, ({ value, attempt, headers, topic: origin, via }) => {
      if (value.note === 'poison' && !fixed) return Promise.reject(new PermanentError('bug in the handler'));
      handled.push({
        seq: value.seq,
        attempt,
        redrivenFrom: headerString(headers, FAILURE_HEADERS.redrivenFrom),
        topic: origin,
        via: via?.topic,
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
    expect(
      dry.records.every(
        (r) =>
          r.errorClass === 'PermanentError' &&
          r.originTopic === topic.name &&
          r.movedTo === consumer.retryTopic,
      ),
    ).toBe(true);
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
    // Through the group's own retry topic; the handler still sees the origin topic.
    expect(redriven.every((x) => x.via === consumer.retryTopic && x.topic === topic.name)).toBe(true);
  });

  it('sends redriven dead letters to the group that failed only: another group on the origin topic does not see them again', async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1' })));
    const topic = testTopic();
    await h.prepare(topic);
    const failing = uniqueName('failing');
    const other = uniqueName('other');
    const envelopes = await h.producer.emitMany([
      pending(topic, { taskId: 'a', tenantId: 't', seq: 0, note: 'poison' }),
      pending(topic, { taskId: 'b', tenantId: 't', seq: 1, note: 'fine' }),
      pending(topic, { taskId: 'c', tenantId: 't', seq: 2, note: 'poison' }),
    ]);

    let fixed = false;
    const seenByFailing: string[] = [];
    const failingConsumer = h.consumer({ group: failing });
    failingConsumer.handle(topic, ({ value, envelope }) => {
      if (value.note === 'poison' && !fixed) return Promise.reject(new PermanentError('bug in the handler'));
      seenByFailing.push(envelope.eventId);
      return Promise.resolve();
    });
    const seenByOther: string[] = [];
    const otherConsumer = h.consumer({ group: other });
    otherConsumer.handle(topic, ({ envelope }) => {
      seenByOther.push(envelope.eventId);
      return Promise.resolve();
    });
    await Promise.all([failingConsumer.start(), otherConsumer.start()]);
    await waitFor(() => failingConsumer.metrics().deadLettered === 2 && seenByOther.length === 3, {
      description: 'two dead letters in one group, every event handled in the other',
    });

    fixed = true;
    const moved = await redrive({ kafka: h.kafka, producer: h.producer, group: failing });
    expect(moved.records.map((r) => r.movedTo)).toEqual([
      failingConsumer.retryTopic,
      failingConsumer.retryTopic,
    ]);
    await waitFor(() => seenByFailing.length === 3, {
      description: 'the redriven letters handled by their group',
    });
    expect([...seenByFailing].sort()).toEqual(envelopes.map((e) => e.eventId).sort());

    // A marker after the redrive: had the letters gone back to the origin topic, the other group
    // (one partition, read in order) would have handled them before it.
    const [marker] = await h.producer.emitMany([
      pending(topic, { taskId: 'm', tenantId: 't', seq: 3, note: 'fine' }),
    ]);
    await waitFor(() => seenByOther.includes(marker!.eventId), {
      description: 'the marker in the other group',
    });
    expect(seenByOther).toEqual([...envelopes.map((e) => e.eventId), marker!.eventId]);
  });
});

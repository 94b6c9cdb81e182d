import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pending } from '@tributary/kafka';
import {
  bundleEntry,
  RuntimeHarness,
  spawnBundle,
  type SpawnedProcess,
  testConfig,
  testTopic,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { afterEach, describe, expect, it } from 'vitest';

const children: SpawnedProcess[] = [];
let harness: RuntimeHarness | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.child.exitCode === null && child.child.signalCode === null) {
      child.child.kill('SIGKILL');
      await child.exited;
    }
  }
  await harness?.close();
});

describe('a consumer killed with SIGKILL in the middle of a batch', () => {
  it('loses nothing after a restart, and redeliveries have no second effect', async () => {
    harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1' }));
    const topic = testTopic();
    await harness.prepare(topic);
    const total = 200;
    const envelopes = await harness.producer.emitMany(
      Array.from({ length: total }, (_, seq) =>
        pending(topic, { taskId: `task-${seq % 40}`, tenantId: 'tenant-a', seq, note: 'crash test' }),
      ),
    );
    const effects = mkdtempSync(join(tmpdir(), 'tributary-effects-'));
    const env = {
      RUNTIME_TEST_TOPIC: topic.name,
      RUNTIME_TEST_GROUP: uniqueName('crash'),
      RUNTIME_TEST_EFFECTS: effects,
    };
    const effectFiles = () => readdirSync(effects).filter((name) => name.endsWith('.effect'));
    const bundle = await bundleEntry('test/integration/runtime/fixtures/effect-consumer.ts');

    const first = spawnBundle(bundle, env);
    children.push(first);
    await first.waitForOutput(/ready/);
    await waitFor(() => effectFiles().length >= 60, { description: '60 effects from the first process' });
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const beforeCrash = effectFiles().length;
    expect(beforeCrash).toBeLessThan(total);

    const second = spawnBundle(bundle, env);
    children.push(second);
    await second.waitForOutput(/ready/);
    await waitFor(() => effectFiles().length === total, {
      timeoutMs: 40_000,
      description: `${total} effects`,
    });

    const expected = new Set(envelopes.map((e) => `${e.eventId}.effect`));
    expect(new Set(effectFiles())).toEqual(expected);
    const deliveries = readFileSync(join(effects, 'deliveries.log'), 'utf8').trim().split('\n');
    expect(new Set(deliveries)).toEqual(new Set(envelopes.map((e) => e.eventId)));
    // Each effect was written once, by whichever process got there first, and never rewritten.
    const writers = effectFiles().map(
      (name) => readFileSync(join(effects, name), 'utf8').trim().split(' ')[0],
    );
    expect(new Set(writers)).toEqual(new Set([String(first.child.pid), String(second.child.pid)]));
    console.log(
      `crash test: ${beforeCrash} effects before SIGKILL, ${deliveries.length - total} redelivered message(s) without a second effect`,
    );

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

import { deadLetterTopic, inNamespace, TOPICS } from '@tributary/contracts';
import { pending, PermanentError } from '@tributary/kafka';
import {
  jsonOutput,
  runTributary,
  RuntimeHarness,
  testConfig,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { afterEach, describe, expect, it } from 'vitest';

let harness: RuntimeHarness | undefined;

afterEach(async () => {
  await harness?.close();
});

interface ListJson {
  groups: {
    group: string;
    exists: boolean;
    total: number;
    waiting: number;
    redriven: number;
    reasons: {
      originTopic: string;
      errorClass: string;
      errorMessage: string;
      count: number;
      waiting: number;
    }[];
  }[];
}

describe('tributary dlq', () => {
  it("lists a group's dead letters by reason, shows them decoded, redrives them once", async () => {
    const h = (harness = new RuntimeHarness(testConfig('gateway', { TRIBUTARY_KAFKA_PARTITIONS: '1' })));
    const namespace = uniqueName('cli-dlq');
    const progress = inNamespace(TOPICS.taskProgress, namespace);
    const failed = inNamespace(TOPICS.taskFailed, namespace);
    await h.prepare(progress, failed);
    const group = uniqueName('cli-dlq-group');

    let fixed = false;
    const handled: string[] = [];
    const consumer = h.consumer({ group });
    consumer.handle(progress, ({ value }) => {
      if (value.message === 'poison' && !fixed)
        return Promise.reject(new PermanentError('cannot render the step'));
      handled.push(value.taskId);
      return Promise.resolve();
    });
    consumer.handle(failed, ({ value }) => {
      if (!fixed) return Promise.reject(new PermanentError('webhook endpoint refused the payload'));
      handled.push(value.taskId);
      return Promise.resolve();
    });
    await consumer.start();
    await h.producer.emitMany([
      pending(progress, sampleValue(TOPICS.taskProgress, { taskId: 'task-a', message: 'poison' })),
      pending(progress, sampleValue(TOPICS.taskProgress, { taskId: 'task-b', message: 'fine' })),
      pending(progress, sampleValue(TOPICS.taskProgress, { taskId: 'task-c', message: 'poison' })),
      pending(failed, sampleValue(TOPICS.taskFailed, { taskId: 'task-d' })),
    ]);
    await waitFor(() => consumer.metrics().deadLettered === 3 && handled.length === 1, {
      description: 'three dead letters',
    });

    const listed = await runTributary(['dlq', 'list', '--group', group, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [summary] = jsonOutput<ListJson>(listed).groups;
    expect(summary).toMatchObject({ group, exists: true, total: 3, waiting: 3, redriven: 0 });
    expect(summary?.reasons).toEqual([
      expect.objectContaining({
        originTopic: progress.name,
        errorClass: 'PermanentError',
        errorMessage: 'cannot render the step',
        count: 2,
        waiting: 2,
      }),
      expect.objectContaining({
        originTopic: failed.name,
        errorMessage: 'webhook endpoint refused the payload',
        count: 1,
      }),
    ]);

    // The table for people names the reasons too.
    const table = await runTributary(['dlq', 'list', '--group', group]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${group.replace(/\./g, '\\.')}\\s+3\\s+3\\s+0`));
    expect(table.stdout).toContain('PermanentError: cannot render the step');

    // show decodes the letter with its origin topic's schema (a namespaced catalogue topic).
    const shown = await runTributary(['dlq', 'show', '--group', group, '--task', 'task-c', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const letters = jsonOutput<{ deadLetters: Record<string, unknown>[] }>(shown).deadLetters;
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      deadLetter: { topic: deadLetterTopic(group), partition: 0 },
      key: 'task-c',
      redriven: false,
      failure: { originTopic: progress.name, errorClass: 'PermanentError', attempts: 1 },
      envelope: { correlationId: 'task-c', producer: 'tests' },
      value: { taskId: 'task-c', message: 'poison' },
    });
    const none = await runTributary(['dlq', 'show', '--group', group, '--task', 'task-z']);
    expect(none.code).toBe(4);

    // Redrive with the handler fixed: the letters come back once; the list then shows them redriven.
    fixed = true;
    const moved = await runTributary(['dlq', 'redrive', '--group', group, '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    const movedRecords = jsonOutput<{ moved: { movedTo: string; originTopic: string }[] }>(moved).moved;
    expect(movedRecords).toHaveLength(3);
    // Into the failing group's own retry topic, not back onto the origin topic, which other groups
    // consume too (runtime.md, "Redrive").
    expect(movedRecords.every((r) => r.movedTo === consumer.retryTopic)).toBe(true);
    await waitFor(() => handled.length === 4, { description: 'the redriven letters handled' });
    expect(handled.sort()).toEqual(['task-a', 'task-b', 'task-c', 'task-d']);
    const again = await runTributary(['dlq', 'redrive', '--group', group, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOutput<{ moved: unknown[] }>(again).moved).toEqual([]);
    const after = jsonOutput<ListJson>(await runTributary(['dlq', 'list', '--group', group, '--json']));
    expect(after.groups[0]).toMatchObject({ total: 3, waiting: 0, redriven: 3 });
  });

  it('reports a group that never dead-lettered anything as empty, and refuses a bad command line with exit code 2', async () => {
    const group = uniqueName('cli-dlq-empty');
    const listed = await runTributary(['dlq', 'list', '--group', group, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(jsonOutput<ListJson>(listed).groups).toEqual([
      { group, topic: deadLetterTopic(group), exists: false, total: 0, waiting: 0, redriven: 0, reasons: [] },
    ]);
    const bad = await runTributary(['dlq', 'show', '--group', group, '--limit', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit.*positive integer/);
  });
});

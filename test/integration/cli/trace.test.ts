import { Logger } from '@nestjs/common';
import { MongoCallJournal, StepJournal } from '@tributary/agent';
import { type Envelope, TOPICS } from '@tributary/contracts';
import { EventProducer, PermanentError, RetriableError } from '@tributary/kafka';
import { type DraftInput, type LlmPort, OfflineLlm, RecordedLlm } from '@tributary/llm';
import {
  jsonOutput,
  runTributary,
  RuntimeHarness,
  taskTopics,
  testConfig,
  uniqueName,
  waitFor,
} from '@tributary/testing';
import { sampleValue } from '@tributary/testing/agents/deliveries';
import { candidates, profile, taskRequest } from '@tributary/testing/llm/fixtures';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A task told by its topics, on the real broker, registry and store: agent steps on the Kafka runtime
 * (a retry through a real retry topic, a step stopped mid-call and redelivered, a dead letter), their
 * calls through the real call journal, then `tributary task trace` reads it all back.
 */

interface StoryJson {
  outcome: { status: string };
  counts: Record<string, number>;
  tree: StoryNode[];
  calls: {
    method: string;
    via: string;
    kind: string;
    record: { agent: string; taskId: string | null } | null;
  }[];
}
interface StoryNode {
  eventId: string;
  kind: string;
  producer: string;
  copies: unknown[];
  failures: { kind: string; group: string; errorClass: string; errorMessage: string; attempts: number }[];
  children: StoryNode[];
}

const harness = new RuntimeHarness(
  testConfig('research-agent', {
    TRIBUTARY_KAFKA_PARTITIONS: '1',
    TRIBUTARY_RETRY_BASE_DELAY_MS: '50',
    TRIBUTARY_RETRY_MAX_DELAY_MS: '200',
  }),
);
const namespace = uniqueName('cli-trace');
const topics = taskTopics(namespace);
const mongoUri = (() => {
  const url = new URL(harness.config.mongoUri);
  url.pathname = `/${namespace.replace(/\W/g, '_')}`;
  return url.toString();
})();
let connection: Connection;
const producers: EventProducer[] = [];

function producer(service: string): EventProducer {
  const made = new EventProducer(harness.kafka, harness.serializer, { service });
  producers.push(made);
  return made;
}

/** The offline recommender, whose first draft hangs until its caller gives up (a call cut off by a crash). */
class HangingOnce implements LlmPort {
  readonly provider = 'offline';
  readonly completed: string[] = [];
  private readonly offline = new OfflineLlm();
  private hung = false;
  plan: LlmPort['plan'] = async (input, opts) => this.done('plan', await this.offline.plan(input, opts));
  review: LlmPort['review'] = async (input, opts) =>
    this.done('review', await this.offline.review(input, opts));
  draft = async (input: DraftInput, opts: Parameters<LlmPort['draft']>[1]) => {
    if (!this.hung) {
      this.hung = true;
      await new Promise((_, reject) =>
        opts.signal?.addEventListener('abort', () => reject(new Error('cut off'))),
      );
    }
    return this.done('draft', await this.offline.draft(input, opts));
  };
  private done<T>(method: string, result: T): T {
    this.completed.push(method);
    return result;
  }
}

beforeAll(async () => {
  Logger.overrideLogger(false);
  await harness.prepare(...Object.values(topics));
  connection = await mongoose.createConnection(mongoUri, { retryWrites: false }).asPromise();
});

afterAll(async () => {
  for (const made of producers) await made.disconnect();
  await connection?.dropDatabase().catch(() => undefined);
  await connection?.close();
  const admin = await harness.admin.connected();
  await admin.deleteTopics({ topics: Object.values(topics).map((t) => t.name) }).catch(() => undefined);
  await harness.close();
});

describe('tributary task trace', () => {
  it('tells a task from its topics: causation, a retry, a step run again after it was stopped mid-call (its recorded call not made twice), a dead letter, the calls and the outcome', async () => {
    const taskId = `tsk-trace-${namespace.slice(-6)}`;
    // Ids of the gateway's form (tsk_<ULID>) tell the trace where to start reading; this one does not.
    const since = new Date(Date.now() - 60_000).toISOString();
    const tenantId = 'acme';
    const llm = new HangingOnce();
    let retrievals = 0;
    const groups = {
      planner: uniqueName('planner'),
      research: uniqueName('research'),
      reviewer: uniqueName('reviewer'),
      webhooks: uniqueName('webhooks'),
    };
    const request = { ...sampleValue(TOPICS.taskRequested).request, userId: 'u-ada' };

    const planner = harness.consumer({ group: groups.planner });
    const plannerLlm = new RecordedLlm(llm, new MongoCallJournal(connection, 'planner-agent'));
    const plannerOut = producer('planner-agent');
    planner.handle(topics.requested, async (delivery) => {
      const journal = new StepJournal(delivery.firstDelivery);
      const plan = await plannerLlm.plan(
        { request: taskRequest(), profile: profile() },
        { taskId, tenantId, journal },
      );
      await journal.settle();
      await plannerOut.emit(
        topics.planned,
        { ...sampleValue(TOPICS.taskPlanned, { taskId, tenantId, request }), plan },
        { causedBy: delivery.envelope, headers: journal.headers() },
      );
    });

    const researchJournal = new MongoCallJournal(connection, 'research-agent');
    const researchLlm = new RecordedLlm(llm, researchJournal);
    const researchOut = producer('research-agent');
    const startResearch = () => {
      const research = harness.consumer({ group: groups.research, drainTimeoutMs: 200 });
      research.handle(topics.planned, async (delivery) => {
        await researchOut.emit(
          topics.progress,
          sampleValue(TOPICS.taskProgress, {
            taskId,
            tenantId,
            stage: 'researching',
            message: 'Searching the catalogue',
          }),
          { causedBy: delivery.envelope, discriminator: 'search' },
        );
        if (delivery.attempt === 1) throw new RetriableError('the model is busy');
        const journal = new StepJournal(delivery.firstDelivery);
        const found = await researchJournal.recorded(
          MongoCallJournal.key('tool:retrieve', { taskId }),
          journal,
          () => {
            retrievals += 1;
            return Promise.resolve(candidates());
          },
          { tool: 'tool:retrieve', taskId },
        );
        const draft = await researchLlm.draft(
          {
            request: taskRequest(),
            plan: delivery.value.plan,
            candidates: found,
            profile: profile(),
            critique: null,
            round: 1,
          },
          { taskId, tenantId, journal, signal: delivery.signal },
        );
        await journal.settle();
        await researchOut.emit(
          topics.research,
          {
            ...sampleValue(TOPICS.researchCompleted, { taskId, tenantId, request }),
            plan: delivery.value.plan,
            draft,
          },
          { causedBy: delivery.envelope, headers: journal.headers() },
        );
      });
      return research;
    };

    const reviewer = harness.consumer({ group: groups.reviewer });
    const reviewerLlm = new RecordedLlm(llm, new MongoCallJournal(connection, 'reviewer-agent'));
    const reviewerOut = producer('reviewer-agent');
    reviewer.handle(topics.research, async (delivery) => {
      const journal = new StepJournal(delivery.firstDelivery);
      const judged = await reviewerLlm.review(
        { request: taskRequest(), profile: profile(), draft: delivery.value.draft, round: 1, checks: [] },
        { taskId, tenantId, journal },
      );
      await journal.settle();
      const reviewed = await reviewerOut.emit(
        topics.review,
        {
          ...sampleValue(TOPICS.reviewCompleted, { taskId, tenantId, request }),
          ...judged,
          verdict: 'approved',
        },
        { causedBy: delivery.envelope, headers: journal.headers() },
      );
      await reviewerOut.emit(
        topics.ready,
        sampleValue(TOPICS.recommendationReady, { taskId, tenantId, userId: request.userId, rounds: 1 }),
        { causedBy: reviewed },
      );
    });

    // A webhook sender that cannot deliver: the ready event ends in its dead-letter topic.
    const webhooks = harness.consumer({ group: groups.webhooks });
    webhooks.handle(topics.ready, () => Promise.reject(new PermanentError('the endpoint answered 410 Gone')));

    for (const consumer of [planner, reviewer, webhooks]) await consumer.start();
    let research = startResearch();
    await research.start();
    const requested: Envelope = await producer('gateway').emit(
      topics.requested,
      sampleValue(TOPICS.taskRequested, { taskId, tenantId, request }),
    );
    expect(requested.correlationId).toBe(taskId);

    // The retry runs the step again; its draft hangs; the step is stopped mid-call, as a crash would.
    await waitFor(() => retrievals === 1, { description: 'the retried step past its retrieval' });
    await research.stop();
    research = startResearch();
    await research.start();
    await waitFor(() => webhooks.metrics().deadLettered === 1, {
      timeoutMs: 60_000,
      description: 'the task ended and its webhook dead-lettered',
    });
    await research.stop();

    const run = await runTributary(
      [
        'task',
        'trace',
        taskId,
        '--namespace',
        namespace,
        '--group',
        Object.values(groups).join(','),
        '--since',
        since,
        '--json',
      ],
      { TRIBUTARY_MONGO_URI: mongoUri },
    );
    expect(run.code, run.stderr).toBe(0);
    const story = jsonOutput<StoryJson>(run);
    expect(story.outcome.status).toBe('completed');

    const [root] = story.tree;
    expect(root).toMatchObject({ kind: 'task.requested', producer: 'gateway' });
    const planned = root!.children[0]!;
    expect(planned).toMatchObject({ kind: 'task.planned', producer: 'planner-agent' });
    expect(planned.failures).toEqual([
      expect.objectContaining({
        kind: 'retry',
        group: groups.research,
        errorClass: 'RetriableError',
        errorMessage: 'the model is busy',
        attempts: 1,
      }),
    ]);
    const progress = planned.children.find((e) => e.kind === 'task.progress')!;
    // Written by the first attempt, the retry, and the retry's redelivery after the stop: one event, three writes.
    expect(progress.copies).toHaveLength(2);
    const researched = planned.children.find((e) => e.kind === 'research.completed')!;
    const review = researched.children.find((e) => e.kind === 'review.completed')!;
    const ready = review.children.find((e) => e.kind === 'recommendation.ready')!;
    expect(ready.failures).toEqual([
      expect.objectContaining({
        kind: 'dead-letter',
        group: groups.webhooks,
        errorMessage: 'the endpoint answered 410 Gone',
      }),
    ]);

    // The redelivered step found its retrieval in the journal; only the draft cut off mid-call was made again.
    expect(retrievals).toBe(1);
    expect(story.calls.map((c) => [c.kind, c.method, c.via, c.record?.agent, c.record?.taskId])).toEqual([
      ['task.planned', 'plan', 'called', 'planner-agent', taskId],
      ['research.completed', 'tool:retrieve', 'journal', 'research-agent', taskId],
      ['research.completed', 'draft', 'called', 'research-agent', taskId],
      ['review.completed', 'review', 'called', 'reviewer-agent', taskId],
    ]);
    expect(llm.completed).toEqual(['plan', 'draft', 'review']);
    expect(story.counts).toMatchObject({
      rewritten: 1,
      retries: 1,
      deadLetters: 1,
      called: 3,
      fromJournal: 1,
    });

    // The same story as a tree for people.
    const text = await runTributary(
      [
        'task',
        'trace',
        taskId,
        '--namespace',
        namespace,
        '--group',
        Object.values(groups).join(','),
        '--since',
        since,
      ],
      {
        TRIBUTARY_MONGO_URI: mongoUri,
      },
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^task ${taskId} \\(tenant acme\\): completed after`));
    expect(text.stdout).toMatch(
      new RegExp(
        `⟳ retry by ${groups.research.replace(/\./g, '\\.')} after attempt 1, due [^:]+:[^:]+:[^:]+: RetriableError: the model is busy`,
      ),
    );
    expect(text.stdout).toMatch(/⧉ written again at 0@\d+, .*\(its step ran again: a redelivery\)/);
    expect(text.stdout).toMatch(
      /◆ tool:retrieve [0-9a-f]{12} served from the journal; journal: recorded .* by research-agent/,
    );
    expect(text.stdout).toContain(
      `✖ dead-lettered by ${groups.webhooks} after 1 attempt(s): PermanentError: the endpoint answered 410 Gone`,
    );

    const unknown = await runTributary([
      'task',
      'trace',
      'tsk-nobody',
      '--namespace',
      namespace,
      '--since',
      since,
    ]);
    expect(unknown.code).toBe(4);
  });
});

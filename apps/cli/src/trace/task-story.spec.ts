import { FAILURE_HEADERS, HEADERS } from '@tributary/contracts';
import { type KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { creationTime, failureRecord } from './read-task-records';
import { renderStory } from './render-story';
import {
  buildStory,
  type EventRecord,
  type FailureRecord,
  type JournalRecord,
  summarize,
} from './task-story';

const T0 = Date.UTC(2025, 0, 31, 12, 0, 0);

function event(
  kind: string,
  eventId: string,
  causationId: string | null,
  at: number,
  extra: Partial<EventRecord> = {},
): EventRecord {
  return {
    topic: `tributary.internal.${kind}.v1`,
    kind,
    partition: 2,
    offset: String(at),
    timestamp: T0 + at,
    eventId,
    causationId,
    tenantId: 'acme',
    producer: 'svc',
    occurredAt: T0 + at,
    position: null,
    traceparent: '',
    value: null,
    decodeError: null,
    calls: [],
    redrivenFrom: null,
    ...extra,
  };
}

const retry: FailureRecord = {
  kind: 'retry',
  group: 'research-agent',
  topic: 'tributary.internal.research-agent.retry.v1',
  partition: 0,
  offset: '7',
  eventId: 'planned',
  originTopic: 'tributary.internal.task.planned.v1',
  attempts: 1,
  errorClass: 'RetriableError',
  errorMessage: 'the model is busy',
  at: T0 + 1_500,
  dueAt: T0 + 2_000,
  redrivenFrom: null,
};

describe('buildStory', () => {
  const events = [
    event('task.requested', 'req', null, 0, { value: { request: { query: 'jazz', userId: 'u1' } } }),
    event('task.planned', 'planned', 'req', 1_000, {
      calls: [{ key: 'p'.repeat(64), method: 'plan', via: 'called', ms: 900 }],
    }),
    event('task.progress', 'prog', 'planned', 1_200, {
      value: { stage: 'researching', message: 'Searching' },
    }),
    // The research step ran again after a crash: the same progress event, written twice.
    event('task.progress', 'prog', 'planned', 9_000, { offset: '40' }),
    event('research.completed', 'research', 'planned', 10_000, {
      calls: [
        { key: 'r'.repeat(64), method: 'tool:retrieve', via: 'journal' },
        { key: 'd'.repeat(64), method: 'draft', via: 'called', ms: 700 },
      ],
      value: { round: 1, draft: { recommendations: [{}, {}] } },
    }),
    // A review of the same inputs another task recorded: served from the journal, no tokens spent.
    event('review.completed', 'review', 'research', 11_000, {
      calls: [{ key: 'v'.repeat(64), method: 'review', via: 'journal' }],
    }),
    event('recommendation.ready', 'ready', 'review', 12_000, {
      value: { recommendations: [{ itemId: 'a' }, { itemId: 'b' }], rounds: 1, bestEffort: false },
    }),
  ];
  const record = (extra: Partial<JournalRecord>): JournalRecord => ({
    agent: 'research-agent',
    createdAt: T0 + 9_900,
    taskId: 'tsk',
    durationMs: 700,
    inputTokens: null,
    outputTokens: null,
    resultSize: 900,
    ...extra,
  });
  const journal = new Map([
    ['d'.repeat(64), record({ inputTokens: 1_834, outputTokens: 412 })],
    // An older record (or the offline provider's): no token counts.
    ['p'.repeat(64), record({ agent: 'planner-agent', createdAt: T0 + 950, durationMs: 900 })],
    [
      'v'.repeat(64),
      record({
        agent: 'reviewer-agent',
        createdAt: T0 - 60_000,
        taskId: 'tsk-other',
        inputTokens: 950,
        outputTokens: 60,
      }),
    ],
  ]);
  const story = buildStory('tsk', events, [retry], journal);

  it('arranges the events by causation, once each, with the time since their cause', () => {
    expect(story.tree.map((e) => e.eventId)).toEqual(['req']);
    const planned = story.tree[0]!.children[0]!;
    expect(planned).toMatchObject({ eventId: 'planned', gapMs: 1_000, atMs: 1_000 });
    expect(planned.children.map((e) => [e.eventId, e.gapMs])).toEqual([
      ['prog', 200],
      ['research', 9_000],
    ]);
    expect(story.counts).toMatchObject({ events: 6, rewritten: 1, retries: 1, deadLetters: 0 });
    expect(story.gaps[0]).toEqual({ eventId: 'research', kind: 'research.completed', gapMs: 9_000 });
  });

  it('notes an event written twice, the retries of an event, and each call with its journal record', () => {
    const planned = story.tree[0]!.children[0]!;
    expect(planned.failures).toEqual([retry]);
    expect(planned.children[0]!.copies).toEqual([
      { partition: 2, offset: '40', timestamp: T0 + 9_000, redrivenFrom: null },
    ]);
    expect(story.calls.map((c) => [c.method, c.via, c.record?.agent ?? null])).toEqual([
      ['plan', 'called', 'planner-agent'],
      ['tool:retrieve', 'journal', null],
      ['draft', 'called', 'research-agent'],
      ['review', 'journal', 'reviewer-agent'],
    ]);
    expect(story.counts).toMatchObject({ calls: 4, called: 2, fromJournal: 2, shared: 0 });
  });

  it('shows the tokens of each call made, and the recorded ones of a call served from the journal as not spent', () => {
    // Only calls made count: the review's 950 + 60 were spent by the task that recorded it.
    expect(story.counts).toMatchObject({ inputTokens: 1_834, outputTokens: 412 });
    expect(story.calls.find((c) => c.method === 'review')?.record).toMatchObject({
      inputTokens: 950,
      outputTokens: 60,
    });
    const text = renderStory(story);
    expect(text).toContain('2 called, 2 from the journal, 0 shared; tokens spent: 1,834 in / 412 out');
    expect(text).toContain(
      '◆ draft dddddddddddd called (700 ms, 1,834 in / 412 out tokens); journal: recorded 2025-01-31 12:00:09.900 by research-agent for tsk',
    );
    expect(text).toContain(
      '◆ review vvvvvvvvvvvv served from the journal (no tokens spent; recorded call: 950 in / 60 out tokens); journal: recorded 2025-01-31 11:59:00.000 by reviewer-agent for tsk-other',
    );
    // A record without counts (the offline provider, an older record) shows none.
    expect(text).toContain('◆ plan pppppppppppp called (900 ms); journal: recorded');
  });

  it('ends with the first terminal event, and says so in the tree', () => {
    expect(story.outcome).toEqual({
      status: 'completed',
      at: T0 + 12_000,
      detail: '2 recommendation(s) after 1 round(s): a, b',
    });
    expect(story.durationMs).toBe(12_000);
    const text = renderStory(story);
    expect(text).toMatch(/^task tsk \(tenant acme\): completed after 12\.0 s/);
    expect(text).toContain('⟳ retry by research-agent after attempt 1');
    expect(text).toContain('⧉ written again at 2@40');
    expect(text).toContain('◆ tool:retrieve rrrrrrrrrrrr served from the journal; journal: no record');
  });

  it('calls a task without a terminal event open', () => {
    expect(buildStory('tsk', events.slice(0, 3), [], new Map()).outcome).toEqual({
      status: 'open',
      at: null,
      detail: 'no terminal event yet',
    });
  });
});

describe('a redriven dead letter', () => {
  const deadLetter: FailureRecord = {
    ...retry,
    kind: 'dead-letter',
    topic: 'tributary.internal.research-agent.dlq.v1',
    offset: '3',
    errorClass: 'PermanentError',
    errorMessage: 'bug in the handler',
    at: T0 + 2_000,
    dueAt: null,
  };
  // What a redrive writes: the letter, into the group's own retry topic, marked with where it was.
  const redriven: FailureRecord = {
    ...deadLetter,
    kind: 'redrive',
    topic: 'tributary.internal.research-agent.retry.v1',
    offset: '9',
    attempts: 0,
    at: T0 + 2_000,
    redrivenFrom: 'tributary.internal.research-agent.dlq.v1/0/3',
  };

  it("is read from the group's retry topic as a redrive, by the header the redrive wrote", () => {
    const message = (extra: Record<string, string>): KafkaMessage => ({
      key: Buffer.from('tsk'),
      value: null,
      offset: '9',
      timestamp: String(T0),
      attributes: 0,
      headers: {
        [HEADERS.eventId]: 'planned',
        [FAILURE_HEADERS.originTopic]: 'tributary.internal.task.planned.v1',
        [FAILURE_HEADERS.originPartition]: '0',
        [FAILURE_HEADERS.originOffset]: '5',
        [FAILURE_HEADERS.attempts]: '0',
        [FAILURE_HEADERS.errorClass]: 'PermanentError',
        [FAILURE_HEADERS.errorMessage]: 'bug in the handler',
        [FAILURE_HEADERS.firstFailureAt]: new Date(T0).toISOString(),
        [FAILURE_HEADERS.lastFailureAt]: new Date(T0).toISOString(),
        ...extra,
      },
    });
    const where = { group: 'research-agent', kind: 'retry' as const };
    const topic = 'tributary.internal.research-agent.retry.v1';
    expect(
      failureRecord(where, topic, 0, message({ [FAILURE_HEADERS.redrivenFrom]: redriven.redrivenFrom! })),
    ).toMatchObject({ kind: 'redrive', redrivenFrom: redriven.redrivenFrom, attempts: 0 });
    expect(failureRecord(where, topic, 0, message({}))).toMatchObject({ kind: 'retry', redrivenFrom: null });
  });

  it('is told as a redrive into its group, not as a retry', () => {
    const story = buildStory(
      'tsk',
      [event('task.requested', 'req', null, 0), event('task.planned', 'planned', 'req', 1_000)],
      [deadLetter, redriven],
      new Map(),
    );
    expect(story.counts).toMatchObject({ retries: 0, deadLetters: 1, redrives: 1 });
    expect(story.tree[0]!.children[0]!.failures.map((f) => f.kind)).toEqual(['dead-letter', 'redrive']);
    const text = renderStory(story);
    expect(text).toContain('0 retries, 1 dead letter(s), 1 redriven;');
    expect(text).toContain(
      "↺ redriven into research-agent's retry topic from tributary.internal.research-agent.dlq.v1/0/3 " +
        '(dead-lettered for PermanentError: bug in the handler)',
    );
  });
});

describe('creationTime', () => {
  it('reads the creation time of a tsk_<ULID> id, and nothing from other ids', () => {
    // The time part of a ULID: 48 bits, ten Crockford base32 characters, most significant first.
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let time = '';
    for (let rest = T0, i = 0; i < 10; i += 1, rest = Math.floor(rest / 32))
      time = alphabet[rest % 32]! + time;
    expect(creationTime(`tsk_${time}AAAAAAAAAAAAAAAA`)?.getTime()).toBe(T0);
    expect(creationTime('task-7')).toBeUndefined();
    expect(creationTime('tsk_ZZZZZZZZZZAAAAAAAAAAAAAAAA')).toBeUndefined();
  });
});

describe('summarize', () => {
  it('keeps a quoted text with line breaks (a critique in a progress message) on one line of the tree', () => {
    const line = summarize('task.progress', {
      stage: 'researching',
      message:
        'Revising the draft (round 2): Rule checks to fix:\n- [missed-intent] Nothing answers “hikes”.\nRelevant.',
    });
    expect(line).toBe(
      'researching: Revising the draft (round 2): Rule checks to fix: - [missed-intent] Nothing answers “hikes”. Relevant.',
    );
    expect(line).not.toContain('\n');
  });
});

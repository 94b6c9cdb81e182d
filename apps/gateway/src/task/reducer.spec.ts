import { describe, expect, it } from 'vitest';
import { EventFactory } from '@tributary/testing/gateway/event-factory';
import { applyEvent } from './reducer';
import { type ProjectedEvent, type TaskState } from './task-state';

function fold(events: readonly ProjectedEvent[], start: TaskState | null = null): TaskState {
  let state = start;
  for (const event of events) {
    const outcome = applyEvent(state, event);
    if (outcome.kind === 'applied') state = outcome.state;
  }
  if (!state) throw new Error('no state');
  return state;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('projection reducer', () => {
  it('walks a task through every stage in order and ends completed with its result', () => {
    const f = new EventFactory('tsk_A');
    const statuses: string[] = [];
    let state: TaskState | null = null;
    for (const event of [
      f.make('taskRequested'),
      f.make('taskProgress', { stage: 'planning', tokenDelta: null }),
      f.make('taskPlanned'),
      f.make('researchCompleted', { round: 1 }),
      f.make('reviewCompleted', { round: 1, verdict: 'revise' }),
      f.make('researchCompleted', { round: 2 }),
      f.make('reviewCompleted', { round: 2, verdict: 'approved' }),
      f.make('recommendationReady', { rounds: 2 }),
    ]) {
      const outcome = applyEvent(state, event);
      expect(outcome.kind).toBe('applied');
      if (outcome.kind === 'applied') state = outcome.state;
      statuses.push(state!.status);
    }
    expect(statuses).toEqual([
      'accepted',
      'planning',
      'researching',
      'reviewing',
      'researching',
      'reviewing',
      'reviewing',
      'completed',
    ]);
    expect(state!.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(state!.version).toBe(8);
    expect(state!.terminal).toBe(true);
    expect(state!.rounds.map((r) => [r.round, r.verdict])).toEqual([
      [1, 'revise'],
      [2, 'approved'],
    ]);
    expect(state!.result?.recommendations.length).toBeGreaterThan(0);
    expect(state!.endedAt).toEqual(state!.timeline[7]!.at);
  });

  it('treats a redelivered event id as a duplicate that reports the seq it was given', () => {
    const f = new EventFactory('tsk_B');
    const requested = f.make('taskRequested');
    const planned = f.make('taskPlanned');
    const state = fold([requested, planned]);
    const again = applyEvent(state, planned);
    expect(again.kind).toBe('duplicate');
    expect(again.entry.seq).toBe(2);
    expect(applyEvent(state, requested).entry.seq).toBe(1);
  });

  it('never moves a status backwards when events arrive out of order, but records them', () => {
    const f = new EventFactory('tsk_C');
    const requestedAt = Date.parse('2026-01-01T09:00:00Z');
    const requested = f.make('taskRequested', { requestedAt });
    const planned = f.make('taskPlanned');
    const drafted = f.make('researchCompleted', { round: 1 });
    const state = fold([drafted, planned, requested]);
    expect(state.status).toBe('reviewing');
    expect(state.timeline.map((e) => [e.type, e.status, e.advanced])).toEqual([
      ['research.completed', 'reviewing', true],
      ['task.planned', 'reviewing', false],
      ['task.requested', 'reviewing', false],
    ]);
    // The late request still fills in what only it carries.
    expect(state.callbackUrl).toBe('https://client.example/hooks/tributary');
    // The request time is earlier than the first event seen, so it becomes the creation time.
    expect(state.createdAt.getTime()).toBe(requestedAt);
  });

  it('lets a revision round move a task from reviewing back to researching', () => {
    const f = new EventFactory('tsk_D');
    const state = fold([
      f.make('taskRequested'),
      f.make('taskPlanned'),
      f.make('researchCompleted', { round: 1 }),
      f.make('reviewCompleted', { round: 1, verdict: 'revise' }),
    ]);
    expect(state.status).toBe('researching');
    expect(state.round).toBe(2);
    // Progress carries no round: a drafting message arriving late while the draft is under review does not pull it back.
    const reviewing = fold([f.make('researchCompleted', { round: 2 })], state);
    expect(reviewing.status).toBe('reviewing');
    const late = fold([f.make('taskProgress', { stage: 'drafting', tokenDelta: null })], reviewing);
    expect(late.status).toBe('reviewing');
    expect(late.progress?.stage).toBe('drafting');
  });

  it('keeps the first terminal event: a later ready does not complete a failed task', () => {
    const f = new EventFactory('tsk_E');
    const state = fold([f.make('taskRequested'), f.make('taskFailed'), f.make('recommendationReady')]);
    expect(state.status).toBe('failed');
    expect(state.result).toBeNull();
    expect(state.failure?.reason).toContain('No draft');
    expect(state.timeline.at(-1)).toMatchObject({
      type: 'recommendation.ready',
      status: 'failed',
      advanced: false,
    });
  });

  it('ends a running task cancelled on cancel-requested, and ignores it once the task has ended', () => {
    const f = new EventFactory('tsk_F');
    const cancelled = fold([
      f.make('taskRequested'),
      f.make('taskPlanned'),
      f.make('taskCancelRequested'),
      f.make('recommendationReady'),
    ]);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancellation?.reason).toBe('user navigated away');
    expect(cancelled.result).toBeNull();

    const g = new EventFactory('tsk_G');
    const completed = fold([
      g.make('taskRequested'),
      g.make('recommendationReady'),
      g.make('taskCancelRequested'),
    ]);
    expect(completed.status).toBe('completed');
    expect(completed.cancellation).toBeNull();
  });

  it('ends with exactly the first terminal status and contiguous seqs in every delivery order', () => {
    const f = new EventFactory('tsk_H');
    const events = [
      f.make('taskRequested'),
      f.make('taskPlanned'),
      f.make('taskFailed'),
      f.make('recommendationReady'),
      f.make('taskCancelRequested'),
    ];
    const terminalKinds = new Map([
      ['taskFailed', 'failed'],
      ['recommendationReady', 'completed'],
      ['taskCancelRequested', 'cancelled'],
    ]);
    for (const order of permutations(events)) {
      // Each event delivered twice, the copy right after a later one: duplicates must not count.
      const withDuplicates = order.flatMap((event, index) =>
        index > 0 ? [event, order[index - 1]!] : [event],
      );
      const state = fold(withDuplicates);
      const firstTerminal = order.find((e) => terminalKinds.has(e.kind))!;
      expect(state.status).toBe(terminalKinds.get(firstTerminal.kind));
      expect(state.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(
        state.timeline.filter((e) => e.advanced && ['completed', 'failed', 'cancelled'].includes(e.status)),
      ).toHaveLength(1);
    }
  });

  it('keeps token deltas short in the timeline summary', () => {
    const f = new EventFactory('tsk_I');
    const state = fold([f.make('taskProgress', { stage: 'drafting', tokenDelta: 'x'.repeat(1_000) })]);
    expect(String(state.timeline[0]!.data.tokenDelta).length).toBeLessThanOrEqual(200);
    expect(state.status).toBe('researching');
  });
});

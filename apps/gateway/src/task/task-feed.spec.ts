import { describe, expect, it } from 'vitest';
import { feedId, isFeedId, type PositionedEvent, TaskFeed } from './task-feed';
import { EventFactory } from '@tributary/testing/gateway/event-factory';

describe('TaskFeed', () => {
  const f = new EventFactory('tsk_F');
  const at = (depth: number, index: number) => ({ depth, index });
  const events: PositionedEvent[] = [
    { ...f.make('taskRequested'), position: at(0, 0) },
    { ...f.make('taskProgress', { stage: 'planning', tokenDelta: null }), position: at(1, 0) },
    { ...f.make('taskPlanned'), position: at(1, 1) },
    { ...f.make('researchCompleted', { round: 1 }), position: at(2, 0) },
    { ...f.make('reviewCompleted', { round: 1, verdict: 'approved' }), position: at(3, 0) },
    { ...f.make('recommendationReady', { rounds: 1 }), position: at(3, 1) },
  ];

  it('shows each event once, with its position as id and the status it leads to, and nothing after the end', () => {
    const feed = new TaskFeed();
    const late = { ...f.make('taskProgress', { stage: 'reviewing', tokenDelta: null }), position: at(3, 2) };
    const shown = [...events, events[2]!, late].map((event) => feed.apply(event));
    expect(shown.map((entry) => entry && `${entry.id} ${entry.entry.type} ${entry.entry.status}`)).toEqual([
      '0.0 task.requested accepted',
      '1.0 task.progress planning',
      '1.1 task.planned researching',
      '2.0 research.completed reviewing',
      '3.0 review.completed reviewing',
      '3.1 recommendation.ready completed',
      undefined,
      undefined,
    ]);
    expect(feed.ended).toBe(true);
  });

  it('names an event by its position, or by its id when it has none', () => {
    expect(feedId({ eventId: 'e-1', position: at(4, 2) })).toBe('4.2');
    const legacy = '0b7c5e1a-1f2b-4c3d-8e9f-001122334455';
    expect(feedId({ eventId: legacy, position: null })).toBe(legacy);
    expect([isFeedId('4.2'), isFeedId(legacy), isFeedId('12'), isFeedId('x.y')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

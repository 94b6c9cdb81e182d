import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../http/problem';
import { isFeedId } from '../task/task-feed';
import { FEED_ID_PATTERN, resumePoint } from './last-event-id';

describe('resumePoint', () => {
  it('takes a causal position or an event id, from the header before the query', () => {
    expect(resumePoint(undefined, undefined)).toBeUndefined();
    expect(resumePoint('  ', '')).toBeUndefined();
    expect(resumePoint(' 2.1 ', '0.0')).toBe('2.1');
    expect(resumePoint(undefined, '3.0')).toBe('3.0');
    const eventId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(resumePoint(eventId, undefined)).toBe(eventId);
  });

  it('refuses anything else with a validation problem naming where it came from', () => {
    const refused = (header: string | undefined, query: string | undefined) => {
      try {
        resumePoint(header, query);
      } catch (error) {
        return error instanceof ApiProblem ? [error.status, error.errors?.[0]?.path] : error;
      }
      return 'accepted';
    };
    expect(refused('abc', undefined)).toEqual([400, 'header.last-event-id']);
    expect(refused(undefined, '7')).toEqual([400, 'query.lastEventId']);
    expect(refused('1.2.3', undefined)).toEqual([400, 'header.last-event-id']);
  });

  it('documents exactly the ids it accepts', () => {
    const pattern = new RegExp(FEED_ID_PATTERN);
    for (const id of ['0.0', '12.3', '0f8fad5b-d9cb-469f-a165-70867728950e', 'abc', '7', '1.2.3', '1.', ''])
      expect(pattern.test(id), id).toBe(isFeedId(id));
  });
});

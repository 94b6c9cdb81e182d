import { CALLS_HEADER, MAY_REPEAT_HEADER, parseCallsHeader } from '@tributary/contracts';
import { describe, expect, it } from 'vitest';
import { StepJournal } from './step-journal';

describe('StepJournal', () => {
  it('lists the calls of the step as the header of its result, and no header when it made none', () => {
    const journal = new StepJournal(true);
    expect(journal.headers()).toEqual({});
    journal.noteCall({ key: 'k1', method: 'tool:retrieve', via: 'journal' });
    journal.noteCall({ key: 'k2', method: 'draft', via: 'called', ms: 40 });
    expect(parseCallsHeader(journal.headers()[CALLS_HEADER])).toEqual([
      { key: 'k1', method: 'tool:retrieve', via: 'journal' },
      { key: 'k2', method: 'draft', via: 'called', ms: 40 },
    ]);
  });

  it('marks the result of a step off a first delivery as a possible copy, and no other', () => {
    expect(new StepJournal(true).headers()[MAY_REPEAT_HEADER]).toBeUndefined();
    expect(new StepJournal(false).headers()).toEqual({ [MAY_REPEAT_HEADER]: '1' });
  });
});

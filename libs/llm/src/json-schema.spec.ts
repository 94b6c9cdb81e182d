import { describe, expect, it } from 'vitest';
import { type JsonSchema, parseJsonReply, validateJson } from './json-schema';

const SCHEMA = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approved', 'revise'] },
    score: { type: 'number' },
    issues: { type: 'array', items: { type: 'string' } },
  },
  required: ['verdict', 'score', 'issues'],
  additionalProperties: false,
} as const satisfies JsonSchema;

describe('validateJson', () => {
  it('names the path and the expectation of every problem', () => {
    expect(validateJson(SCHEMA, { verdict: 'maybe', score: '0.9', issues: ['ok', 3] })).toEqual([
      '$.verdict: expected one of "approved", "revise", got "maybe"',
      '$.score: expected a number, got the string "0.9"',
      '$.issues[1]: expected a string, got number',
    ]);
    expect(validateJson(SCHEMA, { verdict: 'revise' })).toEqual(['$.score: missing', '$.issues: missing']);
    expect(validateJson(SCHEMA, [])).toEqual(['$: expected an object, got an array']);
  });
});

describe('parseJsonReply', () => {
  it('accepts JSON wrapped in a code fence or prose and drops properties the schema does not name', () => {
    const reply =
      'Here you go:\n```json\n{"verdict": "approved", "score": 0.8, "issues": [], "mood": "happy"}\n```';

    expect(parseJsonReply(SCHEMA, reply)).toEqual({
      ok: true,
      value: { verdict: 'approved', score: 0.8, issues: [] },
    });
  });

  it('reports text that is not JSON, and JSON that does not fit', () => {
    expect(parseJsonReply(SCHEMA, 'no idea')).toEqual({
      ok: false,
      problems: ['the reply contains no JSON object'],
    });
    const truncated = parseJsonReply(SCHEMA, '{"verdict": "approved", "sco');
    expect(truncated.ok).toBe(false);
    expect(parseJsonReply(SCHEMA, '{"verdict": "approved", "score": 1}')).toEqual({
      ok: false,
      problems: ['$.issues: missing'],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { problemOf } from '@tributary/testing/gateway/problem-of';
import { parseJsonBody } from './json-body';
import { PROBLEM_TYPES } from './problem';

describe('JSON bodies', () => {
  it('names the parse problem', () => {
    const problem = problemOf(() => parseJsonBody('{"userId": "u-alice",}'));
    expect(problem.type).toBe(PROBLEM_TYPES.invalidJson);
    expect(problem.status).toBe(400);
    expect(problem.message).toMatch(/^The request body is not valid JSON: .+/);
  });

  it('refuses prototype keys and reads an empty body as no body', () => {
    expect(problemOf(() => parseJsonBody('{"__proto__": {"admin": true}}')).message).toContain('__proto__');
    expect(parseJsonBody('   ')).toBeUndefined();
  });
});

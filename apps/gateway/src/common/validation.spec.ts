import { describe, expect, it } from 'vitest';
import { submitTaskBodySchema, listTasksQuerySchema } from '../tasks/task.schemas';
import { decodeCursor, encodeCursor } from './cursor';
import { isTaskId, mintTaskId, UlidFactory } from '../task/ids';
import { parseJsonBody } from './json-body';
import { ApiProblem, PROBLEM_TYPES } from './problem';
import { parseOrProblem } from './zod-validation.pipe';

function problemOf(run: () => unknown): ApiProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiProblem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

const valid = { userId: 'u-alice', request: 'a sci-fi novel' };

describe('request validation messages', () => {
  it('fills defaults for a minimal valid body', () => {
    expect(parseOrProblem(submitTaskBodySchema, 'body', valid)).toEqual({
      ...valid,
      maxResults: 5,
      priority: 'normal',
    });
  });

  it('names every field at fault, one entry each, with a message a client can act on', () => {
    const problem = problemOf(() =>
      parseOrProblem(submitTaskBodySchema, 'body', {
        request: 'hi',
        maxResults: 0,
        priority: 'urgent',
        callbackUrl: 'ftp://example.com/hook',
        constraints: { minPrice: 50, maxPrice: 10, categories: 'books' },
        colour: 'blue',
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.type).toBe(PROBLEM_TYPES.validation);
    expect(Object.fromEntries((problem.errors ?? []).map((e) => [e.path, e.message]))).toEqual({
      userId: 'is required',
      request: 'must be at least 3 characters',
      maxResults: 'must be at least 1',
      priority: 'must be one of high, normal, low',
      callbackUrl: 'must be an http or https URL',
      'constraints.categories': 'must be an array of categories',
      colour: 'is not a known field',
    });
    expect(problem.message).toMatch(/^The request body has 7 problems: /);
  });

  it('checks the price range across fields', () => {
    const problem = problemOf(() =>
      parseOrProblem(submitTaskBodySchema, 'body', { ...valid, constraints: { minPrice: 50, maxPrice: 10 } }),
    );
    expect(problem.errors).toEqual([
      { path: 'constraints.minPrice', message: 'must not be greater than maxPrice' },
    ]);
  });

  it('asks for a JSON object when there is no body at all', () => {
    const problem = problemOf(() => parseOrProblem(submitTaskBodySchema, 'body', undefined));
    expect(problem.errors).toEqual([{ path: 'body', message: 'a JSON object is required' }]);
  });

  it('prefixes query-string faults with query.', () => {
    const problem = problemOf(() =>
      parseOrProblem(listTasksQuerySchema, 'query', { limit: '500', status: 'done' }),
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['query.limit', 'query.status']);
  });

  it('rejects a request of more than 2000 characters', () => {
    const problem = problemOf(() =>
      parseOrProblem(submitTaskBodySchema, 'body', { ...valid, request: 'x'.repeat(2001) }),
    );
    expect(problem.errors).toEqual([{ path: 'request', message: 'must be at most 2000 characters' }]);
  });
});

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

describe('cursors', () => {
  it('round-trips the sort key and is opaque base64url', () => {
    const id = mintTaskId();
    const cursor = encodeCursor({ lastTaskId: id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ lastTaskId: id });
  });

  it('refuses anything this gateway did not write', () => {
    expect(decodeCursor('not a cursor!')).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"v":1,"id":"tsk_nope"}').toString('base64url'))).toBeUndefined();
    expect(
      decodeCursor(Buffer.from('{"v":2,"id":"tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW"}').toString('base64url')),
    ).toBeUndefined();
    expect(decodeCursor(Buffer.from('[1,2').toString('base64url'))).toBeUndefined();
  });
});

describe('task ids', () => {
  it('are well-formed and sort in minting order, also within one millisecond', () => {
    const factory = new UlidFactory(() => 1_700_000_000_000);
    const ids = Array.from({ length: 1_000 }, () => `tsk_${factory.next()}`);
    expect(ids.every(isTaskId)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by creation time across milliseconds', () => {
    let now = 1_700_000_000_000;
    const factory = new UlidFactory(() => now);
    const first = factory.next();
    now += 1;
    const second = factory.next();
    expect(first < second).toBe(true);
    expect(isTaskId('tsk_01JD0Q7ZK3')).toBe(false);
    expect(isTaskId('tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VU')).toBe(false);
  });
});

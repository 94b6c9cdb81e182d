import { describe, expect, it } from 'vitest';
import { problemOf } from '@tributary/testing/gateway/problem-of';
import { PROBLEM_TYPES } from '../http/problem';
import { parseOrProblem } from '../http/zod-validation.pipe';
import { listTasksQuerySchema } from '../read-model/task.schemas';
import { submitTaskBodySchema } from './submission.schemas';

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

import { ApiProblem } from '../../../apps/gateway/src/http/problem';

/** The problem `run` throws; fails the test when it throws something else or nothing. */
export function problemOf(run: () => unknown): ApiProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiProblem) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

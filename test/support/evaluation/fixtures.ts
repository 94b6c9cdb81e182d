import { type EvalCase } from '@tributary/evaluation';

/** An evaluation case for tests: no constraints or exclusions unless the test names them. */
export function makeCase(
  overrides: Partial<Omit<EvalCase, 'intents'>> & {
    readonly intents: readonly { label: string; categories?: string[]; tags?: string[]; items?: string[] }[];
  },
): EvalCase {
  const { intents, ...rest } = overrides;
  return {
    id: 'case-1',
    userId: 'u-ada',
    query: 'something to read',
    maxResults: 5,
    constraints: { categories: [], minPrice: null, maxPrice: null, excludeItemIds: [], excludeTags: [] },
    mustNot: { categories: [], tags: [], items: [] },
    labels: [],
    ...rest,
    intents: intents.map((intent) => ({ categories: [], tags: [], items: [], ...intent })),
  };
}

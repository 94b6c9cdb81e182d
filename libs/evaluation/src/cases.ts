import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CatalogueItem, type UserProfile } from '@tributary/catalogue';
import { type TaskRequest } from '@tributary/contracts';
import { PermanentError } from '@tributary/platform';
import { z } from 'zod';
import { constraintViolations, intentGrade, isExcluded, type Judgement } from './metrics';

const slugs = z.array(z.string().min(1)).default([]);

const intentSchema = z
  .object({
    label: z.string().min(1),
    categories: slugs,
    tags: slugs,
    items: slugs,
  })
  .strict()
  .refine((intent) => intent.categories.length + intent.tags.length + intent.items.length > 0, {
    message: 'an intent names at least one category, tag or item',
  });

const caseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    userId: z.string().min(1),
    query: z.string().min(1),
    maxResults: z.number().int().min(1).max(20).default(5),
    constraints: z
      .object({
        categories: slugs,
        minPrice: z.number().nonnegative().nullable().default(null),
        maxPrice: z.number().nonnegative().nullable().default(null),
        excludeItemIds: slugs,
        excludeTags: slugs,
      })
      .strict()
      .default({ categories: [], minPrice: null, maxPrice: null, excludeItemIds: [], excludeTags: [] }),
    intents: z.array(intentSchema).min(1),
    mustNot: z
      .object({ categories: slugs, tags: slugs, items: slugs })
      .strict()
      .default({ categories: [], tags: [], items: [] }),
    /** Free labels to slice the report by: multi-intent, price, exclusion, vague, specific, typo, lang-de… */
    labels: slugs,
    note: z.string().optional(),
  })
  .strict();

export type EvalCase = z.infer<typeof caseSchema>;

export function judgementOf(evalCase: EvalCase): Judgement {
  return { intents: evalCase.intents, mustNot: evalCase.mustNot, constraints: evalCase.constraints };
}

export function requestOf(evalCase: EvalCase): TaskRequest {
  return {
    userId: evalCase.userId,
    query: evalCase.query,
    constraints: { ...evalCase.constraints },
    maxResults: evalCase.maxResults,
    priority: 'normal',
    // In-process runs have no gateway to fail a task at a deadline, and no need to.
    deadlineAt: null,
  };
}

/** The evaluation set does not load: a line is not a valid case, or a case names what does not exist. */
export class CaseError extends PermanentError {
  constructor(message: string) {
    super(message);
    this.name = 'CaseError';
  }
}

/**
 * Every case of the `*.jsonl` files in a directory, in file and line order, checked against the
 * catalogue and the profiles: known user, categories, tags and items, unique ids, and at least one
 * item in the catalogue that serves each intent within the constraints (a judgement nothing can
 * meet is a mistake in the case, not a failure of the recommender).
 */
export function loadCases(
  dir: string,
  catalogue: readonly CatalogueItem[],
  profiles: readonly UserProfile[],
): EvalCase[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  const cases: EvalCase[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const file of files) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const where = `${file}:${index + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        problems.push(`${where}: not JSON (${(error as Error).message})`);
        continue;
      }
      const result = caseSchema.safeParse(parsed);
      if (!result.success) {
        problems.push(`${where}: ${z.prettifyError(result.error).replace(/\n/g, ' ')}`);
        continue;
      }
      const found = checkCase(result.data, catalogue, profiles);
      if (ids.has(result.data.id)) found.push(`id ${result.data.id} is used twice`);
      ids.add(result.data.id);
      problems.push(...found.map((problem) => `${where} (${result.data.id}): ${problem}`));
      cases.push(result.data);
    }
  }
  if (problems.length > 0) throw new CaseError(`invalid eval cases:\n  ${problems.join('\n  ')}`);
  if (cases.length === 0) throw new CaseError(`no eval cases in ${dir}`);
  return cases;
}

function checkCase(
  evalCase: EvalCase,
  catalogue: readonly CatalogueItem[],
  profiles: readonly UserProfile[],
): string[] {
  const problems: string[] = [];
  const categories = new Set(catalogue.map((item) => item.category));
  const tags = new Set(catalogue.flatMap((item) => item.tags));
  const ids = new Set(catalogue.map((item) => item.id));
  const unknown = (kind: string, values: readonly string[], known: Set<string>): void => {
    for (const value of values) if (!known.has(value)) problems.push(`unknown ${kind} "${value}"`);
  };
  if (!profiles.some((profile) => profile.userId === evalCase.userId))
    problems.push(`no profile for ${evalCase.userId}`);
  const { constraints, mustNot } = evalCase;
  unknown('category', [...constraints.categories, ...mustNot.categories], categories);
  unknown('tag', [...constraints.excludeTags, ...mustNot.tags], tags);
  unknown('item', [...constraints.excludeItemIds, ...mustNot.items], ids);
  const judgement = judgementOf(evalCase);
  for (const intent of evalCase.intents) {
    unknown('category', intent.categories, categories);
    unknown('tag', intent.tags, tags);
    unknown('item', intent.items, ids);
    const servable = catalogue.some(
      (item) =>
        intentGrade(item, intent) === 2 &&
        constraintViolations(item, judgement.constraints).length === 0 &&
        !isExcluded(item, judgement.mustNot),
    );
    if (!servable) problems.push(`no catalogue item serves "${intent.label}" within the constraints`);
  }
  return problems;
}

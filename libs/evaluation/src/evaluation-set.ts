import { loadCatalogueFile, loadProfilesFile } from '@tributary/catalogue';
import { type EvalCase, judgementOf, loadCases } from './cases';
import { intentsCovered, type JudgedItem } from './metrics';

/** What a request is matched on: the user and the words of the request. */
export interface RequestKey {
  readonly userId: string;
  readonly query: string;
}

const keyOf = (request: RequestKey): string => `${request.userId}\u0000${request.query.trim()}`;

/**
 * The cases of an evaluation set by the request they judge. A recorded task is judged by a case when
 * it was made by the case's user with the case's query (leading and trailing spaces aside); when two
 * cases share both, neither judges it (which one the task answered cannot be told).
 */
export class CaseIndex {
  private readonly byRequest = new Map<string, EvalCase | null>();

  constructor(cases: readonly EvalCase[]) {
    for (const evalCase of cases) {
      const key = keyOf(evalCase);
      this.byRequest.set(key, this.byRequest.has(key) ? null : evalCase);
    }
  }

  match(request: RequestKey): EvalCase | undefined {
    return this.byRequest.get(keyOf(request)) ?? undefined;
  }
}

/** The evaluation set with what judging a recorded answer needs: its cases by request, and the catalogue by id. */
export interface EvaluationSet {
  readonly dir: string;
  readonly cases: readonly EvalCase[];
  readonly index: CaseIndex;
  readonly items: ReadonlyMap<string, JudgedItem>;
}

/**
 * Loads the cases of `dir`, checked against the catalogue and the profiles they are written for
 * (as `npm run eval` checks them); a bad case throws a CaseError naming every problem.
 */
export async function loadEvaluationSet(files: {
  readonly dir: string;
  readonly catalogueFile: string;
  readonly profilesFile: string;
}): Promise<EvaluationSet> {
  const [catalogue, profiles] = await Promise.all([
    loadCatalogueFile(files.catalogueFile),
    loadProfilesFile(files.profilesFile),
  ]);
  const cases = loadCases(files.dir, catalogue, profiles);
  return {
    dir: files.dir,
    cases,
    index: new CaseIndex(cases),
    items: new Map(catalogue.map((item) => [item.id, item])),
  };
}

/**
 * For each of the case's intents, whether the recommended items (ids, looked up in `items`; an id
 * not there serves nothing) cover it, as `npm run eval` counts it: an item of grade 2 for the intent
 * that keeps the request's constraints and is not ruled out.
 */
export function coverageOf(
  evalCase: EvalCase,
  itemIds: readonly string[],
  items: ReadonlyMap<string, JudgedItem>,
): boolean[] {
  return intentsCovered(
    itemIds.map((id) => items.get(id)),
    judgementOf(evalCase),
  );
}

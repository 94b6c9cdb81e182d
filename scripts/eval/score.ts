import { type CatalogueItem } from '@tributary/catalogue';
import {
  constraintViolations,
  grade,
  intentsCovered,
  intraListDiversity,
  isExcluded,
  type JudgedItem,
  ndcgAtK,
  reviseOutcomes,
  type ReviewedRound,
  type EvalCase,
  judgementOf,
} from '@tributary/evaluation';

/** How one answer (a ranked list of item ids) fares against its case's judgement. */
export interface ListScore {
  readonly itemIds: readonly string[];
  readonly intentsCovered: readonly boolean[];
  readonly ndcg: number | null;
  /** One entry per recommended item that breaks a hard constraint of the request (or is no catalogue item). */
  readonly violations: readonly { itemId: string; reasons: string[] }[];
  /** Recommended items the judgement rules out. */
  readonly excluded: readonly string[];
  readonly categories: number;
  readonly diversity: number;
}

/** What the pipeline did for one case besides its answer. */
export interface RunFacts {
  readonly outcome: 'approved' | 'best-effort' | 'failed';
  readonly failure?: string;
  readonly rounds: readonly ReviewedRound[];
  readonly revised: number;
  readonly raised: number;
  readonly llmCalls: number;
  readonly latencyMs: number;
}

/** One configuration's answer to a case, scored, with what its run did. */
export type AgentsAnswer = ListScore & RunFacts;

export interface CaseResult {
  readonly id: string;
  readonly userId: string;
  readonly query: string;
  readonly labels: readonly string[];
  readonly intents: readonly string[];
  /** One per configuration of the agents, in the order of the report's systems. */
  readonly answers: readonly AgentsAnswer[];
  readonly baseline: ListScore & { readonly latencyMs: number };
}

/** The grades of the best answer the catalogue allows, best first, as long as the answer may be. */
export function idealGrades(evalCase: EvalCase, catalogue: readonly CatalogueItem[], k: number): number[] {
  const judgement = judgementOf(evalCase);
  return catalogue
    .map((item) => grade(item, judgement))
    .sort((a, b) => b - a)
    .slice(0, Math.min(k, evalCase.maxResults));
}

export function scoreList(
  evalCase: EvalCase,
  itemIds: readonly string[],
  byId: ReadonlyMap<string, CatalogueItem>,
  ideal: readonly number[],
  k: number,
): ListScore {
  const judgement = judgementOf(evalCase);
  const items = itemIds.map((id) => byId.get(id));
  const known = items.filter((item): item is CatalogueItem => item !== undefined);
  const violations = itemIds.flatMap((itemId, i) => {
    const item = items[i];
    const reasons = item ? constraintViolations(item, judgement.constraints) : ['not in the catalogue'];
    return reasons.length > 0 ? [{ itemId, reasons }] : [];
  });
  return {
    itemIds,
    intentsCovered: intentsCovered(items, judgement),
    ndcg: ndcgAtK(
      items.map((item) => grade(item, judgement)),
      ideal,
      k,
    ),
    violations,
    excluded: known.filter((item: JudgedItem) => isExcluded(item, judgement.mustNot)).map((item) => item.id),
    categories: new Set(known.map((item) => item.category)).size,
    diversity: intraListDiversity(known),
  };
}

export function runFacts(
  outcome: RunFacts['outcome'],
  rounds: readonly ReviewedRound[],
  llmCalls: number,
  latencyMs: number,
  failure?: string,
): RunFacts {
  return { outcome, failure, rounds, ...reviseOutcomes(rounds), llmCalls, latencyMs };
}

import { coverageOf, type EvaluationSet } from '@tributary/evaluation';
import { type TaskOutcome } from './outcomes';

/** How a task's recommendations cover the intents of the evaluation case its request matches, on each side. */
export interface TaskIntents {
  readonly caseId: string;
  /** The case's intents, by label, in its order. */
  readonly intents: readonly string[];
  /** Per intent, whether the recommendations cover it (as `npm run eval` counts it). */
  readonly covered: { readonly baseline: readonly boolean[]; readonly candidate: readonly boolean[] };
  /** Intents the baseline covers and the candidate does not. */
  readonly lost: readonly string[];
  /** Intents the candidate covers and the baseline does not. */
  readonly gained: readonly string[];
}

/** Intent coverage of the compared tasks whose request matches an evaluation case. */
export interface IntentCoverage {
  /** The evaluation set's directory and its number of cases. */
  readonly evalSet: string;
  readonly cases: number;
  /** Compared tasks whose request matches a case; the figures below are over these only. */
  readonly matched: number;
  /** Share of the matched tasks' intents covered (over all their intents, as `npm run eval` counts it); null without a match. */
  readonly coverage: { readonly baseline: number; readonly candidate: number } | null;
  /** Matched tasks with every intent covered. */
  readonly allCovered: { readonly baseline: number; readonly candidate: number };
  /** Matched tasks that lost at least one intent, and that gained at least one. */
  readonly lost: readonly string[];
  readonly gained: readonly string[];
}

/**
 * The intents of the case the task's original request matches (same user, same query), covered by
 * the original's recommendations and by the replay's; null when no case matches. A task without
 * recommendations (failed, open) covers none.
 */
export function taskIntents(
  baseline: TaskOutcome,
  candidate: TaskOutcome,
  set: EvaluationSet,
): TaskIntents | null {
  const request = baseline.request ?? candidate.request;
  const evalCase = request ? set.index.match(request) : undefined;
  if (evalCase === undefined) return null;
  const before = coverageOf(evalCase, baseline.recommendations, set.items);
  const after = coverageOf(evalCase, candidate.recommendations, set.items);
  const labels = evalCase.intents.map((intent) => intent.label);
  return {
    caseId: evalCase.id,
    intents: labels,
    covered: { baseline: before, candidate: after },
    lost: labels.filter((_, i) => before[i] === true && after[i] !== true),
    gained: labels.filter((_, i) => before[i] !== true && after[i] === true),
  };
}

/** The aggregate over the tasks' intents (tasks without a matching case left out). */
export function intentCoverage(
  tasks: readonly { readonly taskId: string; readonly intents: TaskIntents | null }[],
  set: EvaluationSet,
): IntentCoverage {
  const matched = tasks.flatMap((t) => (t.intents ? [{ taskId: t.taskId, intents: t.intents }] : []));
  const share = (side: 'baseline' | 'candidate'): number => {
    const all = matched.flatMap((t) => t.intents.covered[side]);
    return all.filter(Boolean).length / all.length;
  };
  const everyCovered = (side: 'baseline' | 'candidate'): number =>
    matched.filter((t) => t.intents.covered[side].every(Boolean)).length;
  return {
    evalSet: set.dir,
    cases: set.cases.length,
    matched: matched.length,
    coverage: matched.length === 0 ? null : { baseline: share('baseline'), candidate: share('candidate') },
    allCovered: { baseline: everyCovered('baseline'), candidate: everyCovered('candidate') },
    lost: matched.filter((t) => t.intents.lost.length > 0).map((t) => t.taskId),
    gained: matched.filter((t) => t.intents.gained.length > 0).map((t) => t.taskId),
  };
}

import { type EvaluationSet } from '@tributary/evaluation';
import { intentCoverage, type IntentCoverage, type TaskIntents, taskIntents } from './intents';
import { type TaskOutcome } from './outcomes';

export interface TaskDiff {
  readonly taskId: string;
  /** Same status, the same recommendations in the same order, the same verdicts per round. */
  readonly identical: boolean;
  readonly status: { readonly baseline: string; readonly candidate: string };
  /** The task.failed code on each side (a replay's own: replay-journal-miss, replay-llm-budget-spent). */
  readonly failureCode: { readonly baseline: string | null; readonly candidate: string | null };
  /** Items in both top-k lists over k (k = the baseline's list length, at most `k`); null without recommendations. */
  readonly overlapAtK: number | null;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Items in both lists whose rank (1-based) changed. */
  readonly rankChanges: readonly { readonly itemId: string; readonly from: number; readonly to: number }[];
  readonly verdicts: { readonly baseline: readonly string[]; readonly candidate: readonly string[] };
  readonly scores: { readonly baseline: readonly number[]; readonly candidate: readonly number[] };
  readonly rounds: { readonly baseline: number; readonly candidate: number };
  readonly bestEffort: { readonly baseline: boolean | null; readonly candidate: boolean | null };
  readonly latencyMs: { readonly baseline: number | null; readonly candidate: number | null };
  /** The intents of the evaluation case the original request matches, covered on each side; null without one. */
  readonly intents: TaskIntents | null;
}

export interface ReplayReport {
  readonly compared: number;
  readonly identical: number;
  readonly different: number;
  /** Tasks of the baseline the candidate has no events of (not replayed, or still to start). */
  readonly missing: readonly string[];
  readonly approvalRate: { readonly baseline: number; readonly candidate: number };
  readonly bestEffortRate: { readonly baseline: number; readonly candidate: number };
  readonly meanOverlapAtK: number | null;
  /** The journaled calls the candidate's steps listed: `called` ones reached a model or tool. */
  readonly candidateCalls: { readonly called: number; readonly journal: number; readonly shared: number };
  /** Failed candidate tasks by failure code. */
  readonly candidateFailures: Readonly<Record<string, number>>;
  /** Intent coverage of the tasks that match an evaluation case; null when no evaluation set was given. */
  readonly intentCoverage: IntentCoverage | null;
  readonly tasks: readonly TaskDiff[];
}

function rate(outcomes: readonly TaskOutcome[], test: (o: TaskOutcome) => boolean): number {
  return outcomes.length === 0 ? 0 : outcomes.filter(test).length / outcomes.length;
}

const approved = (o: TaskOutcome) => o.status === 'completed' && o.bestEffort === false;
const bestEffort = (o: TaskOutcome) => o.status === 'completed' && o.bestEffort === true;

export function diffTask(
  baseline: TaskOutcome,
  candidate: TaskOutcome,
  k: number,
  evaluation?: EvaluationSet,
): TaskDiff {
  const before = baseline.recommendations;
  const after = candidate.recommendations;
  const topK = Math.min(k, before.length);
  const overlapAtK =
    topK === 0 ? null : before.slice(0, topK).filter((id) => after.slice(0, topK).includes(id)).length / topK;
  const rankChanges = before.flatMap((itemId, i) => {
    const j = after.indexOf(itemId);
    return j >= 0 && j !== i ? [{ itemId, from: i + 1, to: j + 1 }] : [];
  });
  const verdicts = {
    baseline: baseline.reviews.map((r) => r.verdict),
    candidate: candidate.reviews.map((r) => r.verdict),
  };
  return {
    taskId: baseline.taskId,
    identical:
      baseline.status === candidate.status &&
      baseline.failureCode === candidate.failureCode &&
      before.length === after.length &&
      before.every((id, i) => after[i] === id) &&
      verdicts.baseline.join() === verdicts.candidate.join() &&
      baseline.bestEffort === candidate.bestEffort,
    status: { baseline: baseline.status, candidate: candidate.status },
    failureCode: { baseline: baseline.failureCode, candidate: candidate.failureCode },
    overlapAtK,
    added: after.filter((id) => !before.includes(id)),
    removed: before.filter((id) => !after.includes(id)),
    rankChanges,
    verdicts,
    scores: {
      baseline: baseline.reviews.map((r) => r.score),
      candidate: candidate.reviews.map((r) => r.score),
    },
    rounds: { baseline: baseline.reviews.length, candidate: candidate.reviews.length },
    bestEffort: { baseline: baseline.bestEffort, candidate: candidate.bestEffort },
    latencyMs: { baseline: baseline.latencyMs, candidate: candidate.latencyMs },
    intents: evaluation ? taskIntents(baseline, candidate, evaluation) : null,
  };
}

/** Compares each baseline task with its replay in the candidate (and, given an evaluation set, their intent coverage). */
export function diffOutcomes(
  baseline: ReadonlyMap<string, TaskOutcome>,
  candidate: ReadonlyMap<string, TaskOutcome>,
  k: number,
  evaluation?: EvaluationSet,
): ReplayReport {
  const pairs = [...baseline.values()]
    .filter((task) => candidate.has(task.taskId))
    .map((task) => [task, candidate.get(task.taskId)!] as const)
    .sort(([a], [b]) => a.taskId.localeCompare(b.taskId));
  const tasks = pairs.map(([a, b]) => diffTask(a, b, k, evaluation));
  const overlaps = tasks.map((t) => t.overlapAtK).filter((o): o is number => o !== null);
  const compared = pairs.map(([a]) => a);
  const replayed = pairs.map(([, b]) => b);
  const calls = { called: 0, journal: 0, shared: 0 };
  const failures: Record<string, number> = {};
  for (const outcome of replayed) {
    if (outcome.status === 'failed') {
      const code = outcome.failureCode ?? 'unknown';
      failures[code] = (failures[code] ?? 0) + 1;
    }
    calls.called += outcome.calls.called;
    calls.journal += outcome.calls.journal;
    calls.shared += outcome.calls.shared;
  }
  return {
    compared: tasks.length,
    identical: tasks.filter((t) => t.identical).length,
    different: tasks.filter((t) => !t.identical).length,
    missing: [...baseline.keys()].filter((id) => !candidate.has(id)).sort(),
    approvalRate: { baseline: rate(compared, approved), candidate: rate(replayed, approved) },
    bestEffortRate: { baseline: rate(compared, bestEffort), candidate: rate(replayed, bestEffort) },
    meanOverlapAtK: overlaps.length === 0 ? null : overlaps.reduce((a, b) => a + b, 0) / overlaps.length,
    candidateCalls: calls,
    candidateFailures: failures,
    intentCoverage: evaluation ? intentCoverage(tasks, evaluation) : null,
    tasks,
  };
}

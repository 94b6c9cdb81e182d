import { isTaskFailureCode } from '@tributary/contracts';
import { taskLinks } from '../http/links';
import { type TaskState, type TimelineEntry } from '../task/task-state';
import { type ListedTask } from './task-list';
import { type TaskSummaryView, type TaskView } from './task.schemas';

const iso = (date: Date): string => new Date(date).toISOString();
const isoOrNull = (date: Date | null | undefined): string | null => (date ? iso(date) : null);
const ms = (from: Date, to: Date): number => new Date(to).getTime() - new Date(from).getTime();

function firstAt(
  timeline: readonly TimelineEntry[],
  type: TimelineEntry['type'],
  where: (e: TimelineEntry) => boolean = () => true,
): Date | undefined {
  return timeline.find((e) => e.type === type && where(e))?.at;
}

/**
 * Stage durations read off the timeline: planning from request to plan; researching from the plan
 * (or the previous review) to each draft; reviewing from each draft to its review; summed over rounds.
 */
export function stageDurations(
  task: Pick<TaskState, 'timeline' | 'createdAt' | 'endedAt'>,
): TaskView['durations'] {
  const { timeline } = task;
  const start = firstAt(timeline, 'task.requested') ?? task.createdAt;
  const planned = firstAt(timeline, 'task.planned');
  const roundOf = (e: TimelineEntry): number => (typeof e.data.round === 'number' ? e.data.round : 0);
  let researchingMs: number | null = null;
  let reviewingMs: number | null = null;
  for (const draft of timeline.filter((e) => e.type === 'research.completed')) {
    const round = roundOf(draft);
    const from =
      round <= 1 ? planned : firstAt(timeline, 'review.completed', (e) => roundOf(e) === round - 1);
    if (from) researchingMs = (researchingMs ?? 0) + Math.max(0, ms(from, draft.at));
    const review = firstAt(timeline, 'review.completed', (e) => roundOf(e) === round);
    if (review) reviewingMs = (reviewingMs ?? 0) + Math.max(0, ms(draft.at, review));
  }
  return {
    planningMs: planned ? Math.max(0, ms(start, planned)) : null,
    researchingMs,
    reviewingMs,
    totalMs: task.endedAt ? Math.max(0, ms(start, task.endedAt)) : null,
  };
}

export function toTaskView(task: TaskState): TaskView {
  const start = task.timeline.find((e) => e.type === 'task.requested')?.at ?? task.createdAt;
  const visible = task.timeline.filter((e) => !(e.type === 'task.progress' && 'tokenDelta' in e.data));
  let previous = start;
  const request = task.request;
  return {
    taskId: task.taskId,
    status: task.status,
    terminal: task.terminal,
    userId: task.userId,
    request: request
      ? {
          userId: request.userId,
          request: request.query,
          constraints: request.constraints,
          maxResults: request.maxResults,
          priority: request.priority,
          // Documents stored before deadlines have none.
          deadlineAt:
            typeof request.deadlineAt === 'number' ? new Date(request.deadlineAt).toISOString() : null,
          callbackUrl: task.callbackUrl,
        }
      : null,
    plan: task.plan,
    rounds: task.rounds.map((r) => ({
      round: r.round,
      draft: r.draft,
      draftedAt: isoOrNull(r.draftedAt),
      verdict: r.verdict,
      critique: r.critique,
      issues: r.issues,
      score: r.score,
      reviewedAt: isoOrNull(r.reviewedAt),
    })),
    result: task.result ? { ...task.result, completedAt: iso(task.result.completedAt) } : null,
    provider: task.provider,
    bestEffort: task.result ? task.result.bestEffort : null,
    failure: task.failure
      ? {
          stage: task.failure.stage,
          code: isTaskFailureCode(task.failure.code) ? task.failure.code : null,
          reason: task.failure.reason,
          at: iso(task.failure.at),
        }
      : null,
    cancellation: task.cancellation
      ? { ...task.cancellation, requestedAt: iso(task.cancellation.requestedAt) }
      : null,
    progress: task.progress ? { ...task.progress, at: iso(task.progress.at) } : null,
    timeline: visible.map((e) => {
      const entry = {
        seq: e.seq,
        type: e.type,
        at: iso(e.at),
        status: e.status,
        advanced: e.advanced,
        sinceStartMs: ms(start, e.at),
        sincePreviousMs: ms(previous, e.at),
      };
      previous = e.at;
      return entry;
    }),
    durations: stageDurations(task),
    version: task.version,
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
    endedAt: isoOrNull(task.endedAt),
    links: taskLinks(task.taskId),
  };
}

export function toTaskSummary({ taskId, item }: Pick<ListedTask, 'taskId' | 'item'>): TaskSummaryView {
  return {
    taskId,
    status: item.status,
    terminal: item.terminal,
    userId: item.userId,
    request: item.request,
    provider: item.provider,
    recommendations: item.recommendations,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    endedAt: isoOrNull(item.endedAt),
    links: taskLinks(taskId),
  };
}

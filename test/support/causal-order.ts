import { comparePositions, type Envelope, formatPosition, TOPICS } from '@tributary/contracts';

/** One event of a task as read back from its topic. */
export interface TaskEventRecord {
  readonly topic: string;
  readonly envelope: Envelope;
}

const TERMINAL_TOPICS: readonly string[] = [TOPICS.recommendationReady.name, TOPICS.taskFailed.name];

/**
 * The problems with one task's events against the causal positions its producers assigned (empty
 * when there are none): every event has a position; a caused event sits one level below its cause;
 * the events of one cause are numbered 0..n-1 without a gap or a repeat; and, ordered by position,
 * each stage's result comes after all its progress and the terminal event comes last.
 */
export function causalOrderProblems(records: readonly TaskEventRecord[]): string[] {
  const problems: string[] = [];
  const events = [...new Map(records.map((r) => [r.envelope.eventId, r])).values()];
  const byId = new Map(events.map((r) => [r.envelope.eventId, r]));
  const children = new Map<string, TaskEventRecord[]>();
  const describe = (r: TaskEventRecord) =>
    `${r.topic.split('.').slice(2, -1).join('.')}@${r.envelope.position ? formatPosition(r.envelope.position) : '-'}`;
  for (const record of events) {
    const { position, causationId } = record.envelope;
    if (position === null) {
      problems.push(`${describe(record)} has no position`);
      continue;
    }
    // A root event may name the event it answers (the gateway's deadline failure, ADR 10) and is
    // no child of it: it runs concurrently with that event's chain.
    const cause = causationId === null || position.depth === 0 ? undefined : byId.get(causationId);
    if (cause === undefined) {
      if (position.depth !== 0 && causationId === null)
        problems.push(`root ${describe(record)} is not at depth 0`);
      continue;
    }
    if (cause.envelope.position && position.depth !== cause.envelope.position.depth + 1)
      problems.push(`${describe(record)} is not one level below its cause ${describe(cause)}`);
    const siblings = children.get(cause.envelope.eventId) ?? [];
    siblings.push(record);
    children.set(cause.envelope.eventId, siblings);
  }
  for (const [causeId, siblings] of children) {
    const indexes = siblings.map((s) => s.envelope.position?.index ?? -1).sort((a, b) => a - b);
    if (indexes.some((index, i) => index !== i))
      problems.push(`the events caused by ${describe(byId.get(causeId)!)} are numbered ${indexes.join(',')}`);
    const results = siblings.filter((s) => s.topic !== TOPICS.taskProgress.name);
    const lastProgress = Math.max(
      -1,
      ...siblings
        .filter((s) => s.topic === TOPICS.taskProgress.name)
        .map((s) => s.envelope.position?.index ?? -1),
    );
    for (const result of results)
      if ((result.envelope.position?.index ?? -1) < lastProgress)
        problems.push(`${describe(result)} comes before progress of its own stage`);
  }
  const ordered = events
    .filter((r) => r.envelope.position !== null)
    .sort((a, b) => comparePositions(a.envelope.position!, b.envelope.position!));
  const last = ordered.at(-1);
  // A cancellation is concurrent with the stage it stops, so only an uncancelled task has a last event.
  const cancelled = ordered.some((r) => r.topic === TOPICS.taskCancelRequested.name);
  if (
    last &&
    !cancelled &&
    !TERMINAL_TOPICS.includes(last.topic) &&
    ordered.some((r) => TERMINAL_TOPICS.includes(r.topic))
  )
    problems.push(`the terminal event is not last: ${ordered.map(describe).join(' → ')}`);
  return problems;
}

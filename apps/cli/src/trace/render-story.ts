import { firstLine } from '../output';
import {
  type FailureRecord,
  type JournalRecord,
  type StoryCall,
  type StoryEvent,
  type TaskStory,
} from './task-story';

function seconds(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** "1,200 in / 300 out tokens", or null when the record holds no counts (a tool, the offline provider). */
function tokens(record: JournalRecord | null): string | null {
  if (record === null || (record.inputTokens === null && record.outputTokens === null)) return null;
  const count = (n: number | null) => (n ?? 0).toLocaleString('en-US');
  return `${count(record.inputTokens)} in / ${count(record.outputTokens)} out tokens`;
}

function describeCall(call: StoryCall): string {
  const counted = tokens(call.record);
  let how: string;
  switch (call.via) {
    case 'called': {
      const details = [call.ms !== undefined ? seconds(call.ms) : null, counted].filter((d) => d !== null);
      how = `called${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
      break;
    }
    case 'journal':
      how = `served from the journal${counted !== null ? ` (no tokens spent; recorded call: ${counted})` : ''}`;
      break;
    case 'shared':
      how = `shared an identical call in flight${counted !== null ? ` (no tokens spent; that call: ${counted})` : ''}`;
      break;
  }
  const record = call.record
    ? `journal: recorded ${clock(call.record.createdAt)} by ${call.record.agent}${call.record.taskId ? ` for ${call.record.taskId}` : ''}`
    : 'journal: no record';
  return `${call.method} ${call.key.slice(0, 12)} ${how}; ${record}`;
}

function describeFailure(failure: FailureRecord): string {
  const where = `[${failure.topic}/${failure.partition}/${failure.offset}]`;
  switch (failure.kind) {
    case 'deferred':
      return `deferred by ${failure.group}${failure.dueAt !== null ? ` until ${clock(failure.dueAt)}` : ''} ${where}`;
    case 'retry':
      return `retry by ${failure.group} after attempt ${failure.attempts}${failure.dueAt !== null ? `, due ${clock(failure.dueAt)}` : ''}: ${failure.errorClass}: ${firstLine(failure.errorMessage, 120)} ${where}`;
    case 'redrive':
      return `redriven into ${failure.group}'s retry topic from ${failure.redrivenFrom ?? '(unknown)'} (dead-lettered for ${failure.errorClass}: ${firstLine(failure.errorMessage, 120)}) ${where}`;
    case 'dead-letter':
      return `dead-lettered by ${failure.group} after ${failure.attempts} attempt(s): ${failure.errorClass}: ${firstLine(failure.errorMessage, 120)} ${where}`;
  }
}

/** The story as a tree for a terminal: one line per event, its calls, retries and copies beneath it. */
export function renderStory(story: TaskStory): string {
  const { counts, outcome } = story;
  const lines: string[] = [];
  lines.push(
    `task ${story.taskId}${story.tenantId ? ` (tenant ${story.tenantId})` : ''}: ${outcome.status}` +
      (story.durationMs !== null ? ` after ${seconds(story.durationMs)}` : '') +
      (outcome.detail ? `; ${outcome.detail}` : ''),
  );
  lines.push(
    `${counts.events} event(s)` +
      (counts.rewritten > 0
        ? `, ${counts.rewritten} written more than once (a step run again: redelivery or redrive)`
        : '') +
      `, ${counts.retries} retr${counts.retries === 1 ? 'y' : 'ies'}, ${counts.deadLetters} dead letter(s)` +
      (counts.redrives > 0 ? `, ${counts.redrives} redriven` : '') +
      '; ' +
      `${counts.calls} journaled call(s): ${counts.called} called, ${counts.fromJournal} from the journal, ${counts.shared} shared` +
      (counts.inputTokens + counts.outputTokens > 0
        ? `; tokens spent: ${counts.inputTokens.toLocaleString('en-US')} in / ${counts.outputTokens.toLocaleString('en-US')} out`
        : ''),
  );
  if (story.startedAt !== null) lines.push(`started ${clock(story.startedAt)}`);
  lines.push('');

  const walk = (event: StoryEvent, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    const gap = event.gapMs === null ? '' : ` +${seconds(event.gapMs)}`;
    lines.push(
      `${prefix}${branch}${event.kind}${gap}  [${event.producer}, ${event.partition}@${event.offset}${event.position ? `, pos ${event.position}` : ''}]  ${event.summary}`,
    );
    const inner = prefix + (root ? '' : last ? '   ' : '│  ');
    const hasChildren = event.children.length > 0;
    const note = (text: string) => lines.push(`${inner}${hasChildren ? '│' : ' '}    ${text}`);
    if (event.decodeError) note(`! undecodable: ${event.decodeError}`);
    if (event.redrivenFrom) note(`↺ redriven from ${event.redrivenFrom}`);
    for (const copy of event.copies)
      note(
        `⧉ written again at ${copy.partition}@${copy.offset}, ${clock(copy.timestamp)}` +
          (copy.redrivenFrom
            ? ` (redriven from ${copy.redrivenFrom})`
            : ' (its step ran again: a redelivery)'),
      );
    for (const failure of event.failures)
      note(
        `${{ retry: '⟳', deferred: '⏱', redrive: '↺', 'dead-letter': '✖' }[failure.kind]} ${describeFailure(failure)}`,
      );
    for (const call of event.calls) note(`◆ ${describeCall(call)}`);
    event.children.forEach((child, i) => walk(child, inner, i === event.children.length - 1, false));
  };
  story.tree.forEach((event) => walk(event, '', true, true));

  if (story.unmatchedFailures.length > 0) {
    lines.push('', 'retries and dead letters of events not read:');
    for (const failure of story.unmatchedFailures) lines.push(`  ${describeFailure(failure)}`);
  }
  if (story.gaps.length > 0) {
    lines.push('', 'longest waits between an event and its cause:');
    for (const gap of story.gaps)
      lines.push(`  ${seconds(gap.gapMs).padStart(9)}  ${gap.kind} ${gap.eventId}`);
  }
  return lines.join('\n');
}

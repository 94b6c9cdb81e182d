import { deadLetterTopic } from '@tributary/contracts';
import { type Kafka } from 'kafkajs';
import { type Progress } from '@tributary/terminal';
import { deadLetterTopicExists, readDeadLetters } from './dead-letters';

/** Dead letters that failed the same way: same origin topic, error class and message. */
export interface DeadLetterReason {
  readonly originTopic: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly count: number;
  /** Not moved back by a redrive yet. */
  readonly waiting: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
}

export interface GroupDeadLetters {
  readonly group: string;
  readonly topic: string;
  /** False when the group never dead-lettered anything (its topic was never created). */
  readonly exists: boolean;
  readonly total: number;
  readonly waiting: number;
  readonly redriven: number;
  /** Most frequent first. */
  readonly reasons: readonly DeadLetterReason[];
}

/** Reads each group's dead-letter topic and counts its letters by reason. */
export async function listDeadLetters(options: {
  readonly kafka: Kafka;
  readonly groups: readonly string[];
  readonly progress: Progress;
  readonly signal: AbortSignal;
}): Promise<GroupDeadLetters[]> {
  const result: GroupDeadLetters[] = [];
  for (const group of options.groups) {
    if (options.signal.aborted) break;
    const topic = deadLetterTopic(group);
    if (!(await deadLetterTopicExists(options.kafka, group))) {
      result.push({ group, topic, exists: false, total: 0, waiting: 0, redriven: 0, reasons: [] });
      continue;
    }
    const reasons = new Map<string, { -readonly [K in keyof DeadLetterReason]: DeadLetterReason[K] }>();
    let total = 0;
    let waiting = 0;
    for await (const letter of readDeadLetters({
      kafka: options.kafka,
      group,
      signal: options.signal,
      onPlan: (count) => options.progress.start(group, count),
      onScanned: (count) => options.progress.advance(count),
    })) {
      total += 1;
      if (!letter.redriven) waiting += 1;
      const originTopic = letter.failure?.originTopic ?? '(no origin headers)';
      const errorClass = letter.failure?.errorClass ?? '(unknown)';
      const errorMessage = letter.failure?.errorMessage ?? '';
      const key = `${originTopic}\u0000${errorClass}\u0000${errorMessage}`;
      const at = letter.failure?.lastFailureAt || letter.deadLetteredAt;
      const reason = reasons.get(key);
      if (reason === undefined) {
        reasons.set(key, {
          originTopic,
          errorClass,
          errorMessage,
          count: 1,
          waiting: letter.redriven ? 0 : 1,
          firstFailureAt: letter.failure?.firstFailureAt || at,
          lastFailureAt: at,
        });
      } else {
        reason.count += 1;
        if (!letter.redriven) reason.waiting += 1;
        if (at > reason.lastFailureAt) reason.lastFailureAt = at;
        const first = letter.failure?.firstFailureAt || at;
        if (first < reason.firstFailureAt) reason.firstFailureAt = first;
      }
    }
    options.progress.stop();
    result.push({
      group,
      topic,
      exists: true,
      total,
      waiting,
      redriven: total - waiting,
      reasons: [...reasons.values()].sort(
        (a, b) => b.count - a.count || a.originTopic.localeCompare(b.originTopic),
      ),
    });
  }
  return result;
}

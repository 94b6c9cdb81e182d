import { TOPICS, type TopicKey } from '@tributary/contracts';

export const TASK_STATUSES = [
  'accepted',
  'planning',
  'researching',
  'reviewing',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What "terminal" means, in one place: the events that end a task and the status each ends it
 * with. The first of them to be applied wins; later ones are recorded and change nothing. The
 * reducer, the rebuild, the event streams, the webhooks and the in-flight count all read it here.
 */
export const TERMINAL_EVENTS = {
  recommendationReady: 'completed',
  taskFailed: 'failed',
  taskCancelRequested: 'cancelled',
} as const satisfies Partial<Record<TopicKey, TaskStatus>>;

export type TerminalKind = keyof typeof TERMINAL_EVENTS;
export type TerminalStatus = (typeof TERMINAL_EVENTS)[TerminalKind];

const TERMINAL_KINDS = Object.keys(TERMINAL_EVENTS) as TerminalKind[];
const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(Object.values(TERMINAL_EVENTS));

/** The topics of the terminal events, with the kind of each. */
export const TERMINAL_TOPICS = TERMINAL_KINDS.map((kind) => [kind, TOPICS[kind]] as const);

export type TerminalTopic = (typeof TOPICS)[TerminalKind];

export function isTerminal(status: TaskStatus): status is TerminalStatus {
  return TERMINAL_STATUSES.has(status);
}

export function isTerminalEvent(kind: TopicKey): kind is TerminalKind {
  return kind in TERMINAL_EVENTS;
}

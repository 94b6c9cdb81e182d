import { type StepCall } from '@tributary/contracts';

/**
 * Where completed LLM calls are journalled, keyed by a hash of their inputs. Storage-agnostic:
 * the agents keep it in MongoDB so a redelivered task resumes instead of paying for the same calls
 * again, and analysts can replay a task without a model.
 */
export interface CallRecorder {
  /** The recorded result for `key`, or undefined when the call was never completed. */
  get(key: string): Promise<unknown>;
  /**
   * The result for `key` if this process recorded or read it lately, without asking the store:
   * what a call that no earlier attempt can have made may still be answered from (the same prompt
   * of another task, a duplicate event).
   */
  peek(key: string): unknown;
  /**
   * Records a completed call. Must be idempotent: the same key may be put twice after a redelivery.
   * `meta` says who made it and how long it took, for analysts (`tributary task trace`).
   */
  put(key: string, value: unknown, meta?: CallMeta): Promise<void>;
}

/** What a journal record says about the call besides its result. */
export interface CallMeta {
  /** The task that made the call (the first one to: later tasks with the same inputs are served the record). */
  readonly taskId: string;
  /** `plan`, `draft`, `review`, or a tool such as `tool:retrieve`. */
  readonly method: string;
  readonly durationMs: number;
  /**
   * Tokens the model counted for the call (all its requests: retries and a repair round included).
   * Absent for tool calls, for the offline recommender (no model, no tokens), when the server
   * reported no usage, and on records written before they were kept.
   */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/**
 * How the calls made for one delivery use the journal. Without a scope a call reads the journal
 * first and waits for its record to be written, as a standalone caller needs.
 */
export interface JournalScope {
  /**
   * No earlier attempt can have made these calls (no consumer was handed the delivery before), so
   * there is nothing of theirs to find: the journal is not read, only the process's recent calls.
   */
  readonly firstDelivery: boolean;
  /**
   * Takes a journal write still under way, so the call returns without waiting for it. The owner of
   * the scope waits for all of them before the step's result is published: a crash after the result
   * then finds every call recorded. A rejected write fails that wait.
   */
  pending(write: Promise<void>): void;
  /**
   * Told of every call made through the scope and how its result was got (called now, from the
   * journal, or shared with an identical call in flight): the step lists them on its result event.
   */
  noteCall?(call: StepCall): void;
}

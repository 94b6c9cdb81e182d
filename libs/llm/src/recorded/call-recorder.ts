/**
 * Where completed LLM calls are journalled, keyed by a hash of their inputs. Storage-agnostic:
 * the research agent keeps it in MongoDB so a redelivered task resumes instead of paying for the
 * same calls again, and analysts can replay a task without a model.
 */
export interface CallRecorder {
  /** The recorded result for `key`, or undefined when the call was never completed. */
  get(key: string): Promise<unknown>;
  /** Records a completed call. Must be idempotent: the same key may be put twice after a redelivery. */
  put(key: string, value: unknown): Promise<void>;
}

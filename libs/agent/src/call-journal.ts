import { type CallMeta, type CallRecorder, type JournalScope } from '@tributary/llm';
import { isDuplicateKey, modelOn, namespacedCollection, RecentCache, stableHash } from '@tributary/platform';
import { type Connection, type Model, type mongo, Schema } from 'mongoose';

/**
 * Calls this process recorded or read lately, held in memory: enough for a duplicate event or the
 * same prompt of another task arriving within minutes, few enough to stay small (an entry is a plan,
 * a candidate list or a draft, a few kB).
 */
const RECENT_CALLS = 2_000;

/** The journal's collection: one document per call, `_id` the call key. */
const COLLECTION = 'llm_calls';

interface CallDoc {
  _id: string;
  agent: string;
  value: unknown;
  createdAt: Date;
  /** Who made the call and how long it took (records from before these fields lack them). */
  taskId?: string;
  method?: string;
  durationMs?: number;
  /** Tokens the model counted for an LLM call (absent for tools, the offline provider and older records). */
  inputTokens?: number;
  outputTokens?: number;
}

const schema = new Schema<CallDoc>(
  {
    _id: { type: String, required: true },
    agent: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    taskId: { type: String },
    method: { type: String },
    durationMs: { type: Number },
    inputTokens: { type: Number },
    outputTokens: { type: Number },
  },
  { versionKey: false, minimize: false },
);

/** Where a journal writes and what it reads besides (a replay's journal reads the recording's). */
export interface CallJournalOptions {
  /** The namespace whose collection is written ('' = the live journal). */
  readonly namespace?: string;
  /** Namespaces whose journals answer a call this one has no record of, in order (a replay's source). */
  readonly readAlso?: readonly string[];
  /**
   * Asked before a tool runs because no record answered it (a replay refuses, or counts it against
   * its budget, by throwing).
   */
  readonly beforeRun?: (call: { readonly method: string; readonly taskId: string }) => Promise<void>;
}

/**
 * The record of every completed LLM or tool call, keyed by a hash of its inputs. A redelivered
 * task finds its earlier calls here and resumes instead of calling again; analysts replaying a
 * task read the same answers. Results are shared, not copied: callers treat them as read-only.
 */
export class MongoCallJournal implements CallRecorder {
  private readonly model: Model<CallDoc>;
  /** The driver's collection: a record is written as it is, without the model's casting. */
  private readonly calls: mongo.Collection<CallDoc>;
  private readonly recent = new RecentCache<unknown>({ capacity: RECENT_CALLS });
  /** Journals read when this one has no record (a replay's: the recording's). */
  private readonly fallbacks: mongo.Collection<CallDoc>[];

  constructor(
    connection: Connection,
    private readonly agent: string,
    private readonly options: CallJournalOptions = {},
  ) {
    const collection = namespacedCollection(COLLECTION, options.namespace ?? '');
    this.model = modelOn(connection, `LlmCall:${collection}`, schema, collection);
    this.calls = this.model.collection as unknown as mongo.Collection<CallDoc>;
    this.fallbacks = (options.readAlso ?? [])
      .map((namespace) => namespacedCollection(COLLECTION, namespace))
      .filter((name) => name !== collection)
      .map((name) => connection.collection<CallDoc>(name) as unknown as mongo.Collection<CallDoc>);
  }

  /** The journal key of a tool call (LLM calls are keyed by RecordedLlm itself). */
  static key(tool: string, input: unknown): string {
    return stableHash({ tool, input });
  }

  peek(key: string): unknown {
    return this.recent.get(key);
  }

  async get(key: string): Promise<unknown> {
    const held = this.recent.get(key);
    if (held !== undefined) return held;
    let doc: Pick<CallDoc, 'value'> | null = await this.model.findById(key).lean();
    for (const fallback of this.fallbacks) {
      if (doc) break;
      doc = await fallback.findOne({ _id: key }, { projection: { value: 1 } });
    }
    if (doc) this.recent.set(key, doc.value);
    return doc?.value;
  }

  async put(key: string, value: unknown, meta?: CallMeta): Promise<void> {
    this.recent.set(key, value);
    // First writer wins: a record with this key holds the same call (a duplicate delivery, or another
    // task with the same inputs, recorded it). An insert costs the store less than an upsert, which
    // looks the key up first (measured on the local store: about 1.5 against 1.8–2.4 ms of its CPU).
    try {
      await this.calls.insertOne({ _id: key, agent: this.agent, value, createdAt: new Date(), ...meta });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /**
   * A tool call through the journal: answered from an earlier attempt's record when there can be
   * one (from memory only on a first delivery), otherwise run and recorded, the write handed to the
   * scope. A failed write fails the scope's wait, so the step is retried rather than finished unrecorded.
   */
  async recorded<T>(
    key: string,
    scope: JournalScope,
    run: () => Promise<T>,
    call: { readonly tool: string; readonly taskId: string },
  ): Promise<T> {
    const recorded = scope.firstDelivery ? this.peek(key) : await this.get(key);
    if (recorded !== undefined && recorded !== null) {
      scope.noteCall?.({ key, method: call.tool, via: 'journal' });
      return recorded as T;
    }
    await this.options.beforeRun?.({ method: call.tool, taskId: call.taskId });
    const started = performance.now();
    const result = await run();
    const durationMs = Math.round(performance.now() - started);
    scope.noteCall?.({ key, method: call.tool, via: 'called', ms: durationMs });
    scope.pending(this.put(key, result, { taskId: call.taskId, method: call.tool, durationMs }));
    return result;
  }
}

/**
 * A journal record as analysts read it: who made the call, when, how long it took, the tokens it
 * used, how big its result is.
 */
export interface CallRecordSummary {
  readonly key: string;
  readonly agent: string;
  readonly createdAt: Date;
  readonly taskId: string | null;
  readonly method: string | null;
  readonly durationMs: number | null;
  /** Tokens the model counted for the call; null for tools, the offline provider and older records. */
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  /** Characters of the result as JSON. */
  readonly resultSize: number;
}

/** The journal records of these keys (by `_id`: the one read the local store answers from an index). */
export async function readCallRecords(
  connection: Connection,
  keys: readonly string[],
): Promise<Map<string, CallRecordSummary>> {
  const calls = connection.collection<CallDoc>(COLLECTION);
  const found = new Map<string, CallRecordSummary>();
  for (const key of new Set(keys)) {
    const doc = await calls.findOne({ _id: key });
    if (doc === null) continue;
    found.set(key, {
      key,
      agent: doc.agent,
      createdAt: doc.createdAt,
      taskId: doc.taskId ?? null,
      method: doc.method ?? null,
      durationMs: doc.durationMs ?? null,
      inputTokens: doc.inputTokens ?? null,
      outputTokens: doc.outputTokens ?? null,
      resultSize: JSON.stringify(doc.value ?? null).length,
    });
  }
  return found;
}

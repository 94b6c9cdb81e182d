import { modelOn, upsertRacing } from '@tributary/platform';
import { stableHash } from '@tributary/llm';
import { type Connection, type Model, Schema } from 'mongoose';

interface CallDoc {
  _id: string;
  agent: string;
  value: unknown;
  createdAt: Date;
}

const schema = new Schema<CallDoc>(
  {
    _id: { type: String, required: true },
    agent: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/**
 * The record of every completed LLM or tool call, keyed by a hash of its inputs. A redelivered
 * task finds its earlier calls here and resumes instead of calling again; analysts replaying a
 * task read the same answers.
 */
export class MongoCallJournal {
  private readonly model: Model<CallDoc>;

  constructor(
    connection: Connection,
    private readonly agent: string,
  ) {
    this.model = modelOn(connection, 'LlmCall', schema, 'llm_calls');
  }

  /** The journal key of a tool call (LLM calls are keyed by RecordedLlm itself). */
  static key(tool: string, input: unknown): string {
    return stableHash({ tool, input });
  }

  async get(key: string): Promise<unknown> {
    const doc = await this.model.findById(key).lean();
    return doc?.value;
  }

  async put(key: string, value: unknown): Promise<void> {
    // First writer wins: a duplicate delivery that raced us recorded the same call.
    await upsertRacing(() =>
      this.model.updateOne(
        { _id: key },
        { $setOnInsert: { agent: this.agent, value, createdAt: new Date() } },
        { upsert: true },
      ),
    );
  }
}

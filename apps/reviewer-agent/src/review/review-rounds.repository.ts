import { type Draft } from '@tributary/contracts';
import { modelOn, namespacedCollection, upsertRacing } from '@tributary/platform';
import { type Connection, type Model, Schema } from 'mongoose';

export interface ReviewRound {
  tenantId: string;
  taskId: string;
  round: number;
  score: number;
  /** Whether the draft broke a rule no best effort may break (constraints, duplicates, empty). */
  acceptable: boolean;
  draft: Draft;
}

type Stored = ReviewRound & { _id: string };

/** `<tenantId>:<taskId>:<round>`: recording and reading rounds are exact `_id` operations on any store. */
function roundId(tenantId: string, taskId: string, round: number): string {
  return `${tenantId}:${taskId}:${round}`;
}

const schema = new Schema<Stored>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    taskId: { type: String, required: true },
    round: { type: Number, required: true },
    score: { type: Number, required: true },
    acceptable: { type: Boolean, required: true },
    draft: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);

/**
 * Every round of a task that was sent back for revision, so later rounds can say what changed and the
 * reviewer can approve the best draft when rounds run out (the last round needs no record).
 */
export class ReviewRounds {
  private readonly model: Model<Stored>;

  /** `namespace`: a replay's reviewer records its rounds apart from the live ones. */
  constructor(connection: Connection, namespace = '') {
    const collection = namespacedCollection('review_rounds', namespace);
    this.model = modelOn(connection, `ReviewRound:${collection}`, schema, collection);
  }

  async record(round: ReviewRound): Promise<void> {
    await upsertRacing(() =>
      this.model.updateOne(
        { _id: roundId(round.tenantId, round.taskId, round.round) },
        { $set: round },
        { upsert: true },
      ),
    );
  }

  /** Rounds 1..upTo that were recorded. */
  async rounds(tenantId: string, taskId: string, upTo: number): Promise<ReviewRound[]> {
    const found = await Promise.all(
      Array.from({ length: upTo }, (_, i) =>
        this.model.findById(roundId(tenantId, taskId, i + 1)).lean<Stored>(),
      ),
    );
    return found.filter((doc): doc is Stored => doc !== null);
  }
}

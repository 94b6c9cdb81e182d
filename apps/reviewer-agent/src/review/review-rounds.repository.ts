import { type Draft } from '@tributary/contracts';
import { modelOn, upsertRacing } from '@tributary/platform';
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

const schema = new Schema<ReviewRound>(
  {
    tenantId: { type: String, required: true },
    taskId: { type: String, required: true },
    round: { type: Number, required: true },
    score: { type: Number, required: true },
    acceptable: { type: Boolean, required: true },
    draft: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);
// Serves record() (idempotent per round) and rounds(tenantId, taskId) when the round limit is reached.
schema.index({ tenantId: 1, taskId: 1, round: 1 }, { unique: true });

/** Every reviewed round of a task, so the reviewer can approve the best draft when rounds run out. */
export class ReviewRounds {
  private readonly model: Model<ReviewRound>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'ReviewRound', schema, 'review_rounds');
  }

  async record(round: ReviewRound): Promise<void> {
    await upsertRacing(() =>
      this.model.updateOne(
        { tenantId: round.tenantId, taskId: round.taskId, round: round.round },
        { $set: round },
        { upsert: true },
      ),
    );
  }

  async rounds(tenantId: string, taskId: string): Promise<ReviewRound[]> {
    return this.model.find({ tenantId, taskId }).sort({ round: 1 }).lean<ReviewRound[]>();
  }
}

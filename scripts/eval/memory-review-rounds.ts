import {
  type ReviewRound,
  type ReviewRounds,
} from '../../apps/reviewer-agent/src/review/review-rounds.repository';

/** The reviewer's record of rounds, in memory: what the review_rounds collection holds for the services. */
export class MemoryReviewRounds implements Pick<ReviewRounds, 'record' | 'rounds'> {
  private readonly byId = new Map<string, ReviewRound>();

  record(round: ReviewRound): Promise<void> {
    this.byId.set(`${round.tenantId}:${round.taskId}:${round.round}`, structuredClone(round));
    return Promise.resolve();
  }

  rounds(tenantId: string, taskId: string, upTo: number): Promise<ReviewRound[]> {
    const found = Array.from({ length: upTo }, (_, i) => this.byId.get(`${tenantId}:${taskId}:${i + 1}`));
    return Promise.resolve(found.filter((round): round is ReviewRound => round !== undefined));
  }
}

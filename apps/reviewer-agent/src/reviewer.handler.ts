import { Controller, Inject } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, OnEvent } from '@tributary/kafka';
import { ReviewDraftUseCase } from './review/review-draft.usecase';

@Controller()
export class ReviewerHandler {
  constructor(@Inject(ReviewDraftUseCase) private readonly review: ReviewDraftUseCase) {}

  @OnEvent(TOPICS.researchCompleted)
  onResearchCompleted(delivery: Delivery<typeof TOPICS.researchCompleted>): Promise<void> {
    return this.review.execute(delivery);
  }
}

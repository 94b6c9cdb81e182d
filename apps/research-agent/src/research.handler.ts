import { Controller, Inject } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, OnEvent } from '@tributary/kafka';
import { ResearchUseCase } from './research/research.usecase';

@Controller()
export class ResearchHandler {
  constructor(@Inject(ResearchUseCase) private readonly research: ResearchUseCase) {}

  @OnEvent(TOPICS.taskPlanned)
  onTaskPlanned(delivery: Delivery<typeof TOPICS.taskPlanned>): Promise<void> {
    return this.research.execute(delivery, { round: 1, critique: null });
  }

  /** The reviewer sent the draft back: draft again with its critique. */
  @OnEvent(TOPICS.reviewCompleted)
  async onReviewCompleted(delivery: Delivery<typeof TOPICS.reviewCompleted>): Promise<void> {
    const { verdict, round, critique } = delivery.value;
    if (verdict !== 'revise') return;
    await this.research.execute(delivery, { round: round + 1, critique });
  }
}

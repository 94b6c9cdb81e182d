import { Module } from '@nestjs/common';
import { AGENT_CONFIG } from '@tributary/agent';
import { type TributaryConfig } from '@tributary/config';
import { MONGO_CONNECTION } from '@tributary/platform';
import { type Connection } from 'mongoose';
import { ReviewerHandler } from './reviewer.handler';
import { CatalogueItems } from './review/catalogue-items';
import { ReviewRounds } from './review/review-rounds.repository';
import { ReviewDraftUseCase } from './review/review-draft.usecase';

@Module({
  controllers: [ReviewerHandler],
  providers: [
    {
      provide: ReviewRounds,
      // In a namespace (a replay) the rounds are kept apart from the live ones.
      useFactory: (c: Connection, config: TributaryConfig) => new ReviewRounds(c, config.namespace),
      inject: [MONGO_CONNECTION, AGENT_CONFIG],
    },
    CatalogueItems,
    ReviewDraftUseCase,
  ],
})
export class ReviewerModule {}

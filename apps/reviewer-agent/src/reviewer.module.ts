import { Module } from '@nestjs/common';
import { MONGO_CONNECTION } from '@tributary/platform';
import { type Connection } from 'mongoose';
import { ReviewerHandler } from './reviewer.handler';
import { CatalogueItems } from './review/catalogue-items';
import { ReviewRounds } from './review/review-rounds.repository';
import { ReviewDraftUseCase } from './review/review-draft.usecase';

@Module({
  controllers: [ReviewerHandler],
  providers: [
    { provide: ReviewRounds, useFactory: (c: Connection) => new ReviewRounds(c), inject: [MONGO_CONNECTION] },
    CatalogueItems,
    ReviewDraftUseCase,
  ],
})
export class ReviewerModule {}

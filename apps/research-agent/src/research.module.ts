import { Module } from '@nestjs/common';
import { CatalogueIndex } from './research/catalogue-index';
import { HybridRetrieval, vectorStoreProvider } from './research/hybrid-retrieval';
import { ResearchHandler } from './research.handler';
import { ResearchUseCase } from './research/research.usecase';
import { Retriever } from './research/retriever';

@Module({
  controllers: [ResearchHandler],
  providers: [CatalogueIndex, HybridRetrieval, vectorStoreProvider, Retriever, ResearchUseCase],
})
export class ResearchModule {}

import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { SseHub } from './sse-hub';
import { StreamTaskEventsUseCase } from './stream-task-events.usecase';
import { TaskEventsController } from './task-events.controller';

/**
 * A task's events as Server-Sent Events: its history from the read model, then what this process's
 * projection applies (TaskNotifier) and what other instances apply (polling by `_id`).
 */
@Module({
  imports: [ReadModelModule],
  controllers: [TaskEventsController],
  providers: [SseHub, StreamTaskEventsUseCase],
  exports: [SseHub],
})
export class StreamsModule {}

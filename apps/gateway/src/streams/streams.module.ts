import { Module } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type TributaryConfig } from '@tributary/config';
import { EVENT_SERIALIZER, type EventSerializer, KAFKA_CLIENT } from '@tributary/kafka';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ReadModelModule } from '../read-model/read-model.module';
import { KafkaTaskEvents } from './kafka-task-events';
import { SseHub } from './sse-hub';
import { StreamLimits } from './stream-limits';
import { StreamTaskEventsUseCase } from './stream-task-events.usecase';
import { TASK_EVENT_SOURCE } from './streams.tokens';
import { TaskEventsController } from './task-events.controller';
import { TaskTail } from './task-tail';

/**
 * A task's events as Server-Sent Events, read from the log (ADR 0008): its history from its
 * partition of the task topics, then its live events from this process's one tail, in causal
 * order. The read model only says whether the task exists and when it was accepted.
 */
@Module({
  imports: [ReadModelModule],
  controllers: [TaskEventsController],
  providers: [
    SseHub,
    StreamLimits,
    TaskTail,
    {
      provide: TASK_EVENT_SOURCE,
      useFactory: (tail: TaskTail, kafka: Kafka, serializer: EventSerializer, config: TributaryConfig) =>
        new KafkaTaskEvents(tail.tail, kafka, serializer, config.kafka.partitions),
      inject: [TaskTail, KAFKA_CLIENT, EVENT_SERIALIZER, TRIBUTARY_CONFIG],
    },
    StreamTaskEventsUseCase,
  ],
  exports: [SseHub],
})
export class StreamsModule {}

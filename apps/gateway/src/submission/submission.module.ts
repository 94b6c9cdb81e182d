import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { EventProducer } from '@tributary/kafka';
import { collectionProvider } from '../config/gateway-config.module';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { ReadModelModule } from '../read-model/read-model.module';
import { CancelTaskUseCase } from './cancel-task.usecase';
import { IDEMPOTENCY_COLLECTION, IN_FLIGHT_COLLECTION, SUBMISSION_COLLECTION_NAMES } from './collections';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotentSubmission } from './idempotent-submission';
import { InFlightRepository } from './in-flight.repository';
import { SubmissionController } from './submission.controller';
import { SUBMIT_LIMITS, submitLimits, SubmitTaskUseCase } from './submit-task.usecase';
import { KafkaTaskEventPublisher, TASK_EVENT_PUBLISHER } from './task-event-publisher';

/**
 * Where a task starts: `POST /v1/tasks` (idempotency keys, the user check, admission under the
 * tenant's in-flight cap, the accepted task stored, task.requested published) and the cancel
 * command. The consumer that frees in-flight slots when tasks end is its own group (InFlightModule).
 */
@Module({
  imports: [ReadModelModule],
  controllers: [SubmissionController],
  providers: [
    collectionProvider(IDEMPOTENCY_COLLECTION, SUBMISSION_COLLECTION_NAMES.idempotencyKeys),
    collectionProvider(IN_FLIGHT_COLLECTION, SUBMISSION_COLLECTION_NAMES.inFlight),
    IdempotencyRepository,
    InFlightRepository,
    IdempotentSubmission,
    {
      provide: SUBMIT_LIMITS,
      useFactory: (config: TributaryConfig) => submitLimits(config),
      inject: [TRIBUTARY_CONFIG],
    },
    {
      provide: TASK_EVENT_PUBLISHER,
      useFactory: (producer: EventProducer, options: GatewayOptions) =>
        new KafkaTaskEventPublisher(producer, options.publishTimeoutMs),
      inject: [EventProducer, GATEWAY_OPTIONS],
    },
    SubmitTaskUseCase,
    CancelTaskUseCase,
  ],
  exports: [InFlightRepository, TASK_EVENT_PUBLISHER],
})
export class SubmissionModule implements OnModuleInit {
  constructor(@Inject(InFlightRepository) private readonly inFlight: InFlightRepository) {}

  async onModuleInit(): Promise<void> {
    await this.inFlight.ensureIndexes();
  }
}

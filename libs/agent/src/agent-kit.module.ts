import {
  Controller,
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CatalogueStore, ProfileStore } from '@tributary/catalogue';
import { type TributaryConfig } from '@tributary/config';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, EventProducer, KafkaAdmin, KafkaModule, OnEvent } from '@tributary/kafka';
import { createLlm, LLM_PORT, MeteredLlm, OFFLINE_PROVIDER, RecordedLlm } from '@tributary/llm';
import { LlmInstruments, MetricsModule } from '@tributary/metrics';
import {
  connectMongo,
  HealthModule,
  JsonLogger,
  kafkaReadiness,
  MONGO_CONNECTION,
  mongoReadiness,
  READINESS_CHECKS,
  registryReadiness,
} from '@tributary/platform';
import { stopTracing } from '@tributary/tracing';
import { type Connection } from 'mongoose';
import { AgentStep } from './agent-step';
import { MongoCallJournal } from './call-journal';
import { CancellationRegistry, MongoCancellationStore } from './cancellation';
import { ProfileCache } from './profile';
import { GatedLlm, MongoLiveCallBudget, ReplayGate } from './replay-gate';

export const AGENT_CONFIG = Symbol('AGENT_CONFIG');

/**
 * Every agent group consumes the cancel requests: the instance that gets one marks the task cancelled
 * in its memory, aborts its work on the task, and records it in the store (read by every instance at
 * start-up and on retries and redeliveries).
 */
@Controller()
export class CancellationHandler {
  constructor(@Inject(CancellationRegistry) private readonly cancellations: CancellationRegistry) {}

  @OnEvent(TOPICS.taskCancelRequested)
  async onCancel({ value }: Delivery<typeof TOPICS.taskCancelRequested>): Promise<void> {
    await this.cancellations.cancel(value.tenantId, value.taskId, value.reason);
  }
}

@Injectable()
class AgentLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Agent');

  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    @Inject(CancellationRegistry) private readonly cancellations: CancellationRegistry,
    @Inject(RecordedLlm) private readonly llm: RecordedLlm,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.cancellations.init();
    this.logger.log(`LLM provider: ${this.llm.provider}`);
  }

  /** Runs after the Kafka transport drained and committed: the store closes, then the last spans are exported. */
  async onApplicationShutdown(): Promise<void> {
    const { made, replayed, recordFailures } = this.llm.stats();
    this.logger.log(
      `LLM calls: ${made} made, ${replayed} answered from the call journal, ${recordFailures} not recorded`,
    );
    await this.connection.close();
    await stopTracing();
  }
}

/**
 * What every agent has: Kafka (producer, transport factory), MongoDB, the catalogue and profile
 * stores (profiles also through a short-lived cache), the cancellation registry, the journaled and metered LLM port, the step frame, health endpoints and `/metrics`.
 */
@Global()
@Module({})
export class AgentKitModule {
  static forRoot(config: TributaryConfig, group: string): DynamicModule {
    const logger = new JsonLogger(config.service, config.logLevel);
    return {
      module: AgentKitModule,
      imports: [
        KafkaModule.forRoot({ config, groups: [group], logger }),
        MetricsModule.forRoot(config.metrics),
        HealthModule.register({
          provide: READINESS_CHECKS,
          useFactory: (connection: Connection, admin: KafkaAdmin) => [
            kafkaReadiness(() => admin.connected()),
            registryReadiness(config),
            mongoReadiness(connection),
          ],
          inject: [MONGO_CONNECTION, KafkaAdmin],
        }),
      ],
      controllers: [CancellationHandler],
      providers: [
        { provide: AGENT_CONFIG, useValue: config },
        { provide: MONGO_CONNECTION, useFactory: () => connectMongo(config.mongoUri, config.mongoTimeouts) },
        {
          provide: CancellationRegistry,
          useFactory: (c: Connection) =>
            new CancellationRegistry(new MongoCancellationStore(c, config.namespace)),
          inject: [MONGO_CONNECTION],
        },
        {
          provide: ProfileStore,
          useFactory: (c: Connection) => new ProfileStore(c),
          inject: [MONGO_CONNECTION],
        },
        {
          provide: ProfileCache,
          useFactory: (store: ProfileStore) => new ProfileCache(store),
          inject: [ProfileStore],
        },
        {
          provide: CatalogueStore,
          useFactory: (c: Connection) => new CatalogueStore(c),
          inject: [MONGO_CONNECTION],
        },
        {
          provide: ReplayGate,
          useFactory: (c: Connection) =>
            config.replay === undefined
              ? null
              : new ReplayGate(
                  config.replay,
                  new MongoLiveCallBudget(c, config.namespace, config.replay.llmBudget),
                  config.llm.baseUrl !== undefined,
                ),
          inject: [MONGO_CONNECTION],
        },
        {
          provide: MongoCallJournal,
          // A replay writes its own journal and reads the recording's: every call it can, it answers from there.
          useFactory: (c: Connection, gate: ReplayGate | null) =>
            new MongoCallJournal(c, config.service, {
              namespace: config.namespace,
              ...(config.replay ? { readAlso: [config.replay.source] } : {}),
              ...(gate ? { beforeRun: gate.admit } : {}),
            }),
          inject: [MONGO_CONNECTION, ReplayGate],
        },
        {
          provide: RecordedLlm,
          useFactory: (journal: MongoCallJournal, gate: ReplayGate | null) => {
            const instruments = new LlmInstruments({
              agent: config.service,
              model: config.llm.baseUrl === undefined ? OFFLINE_PROVIDER : config.llm.model,
            });
            const llm = createLlm(config.llm, new Logger('Llm'), {
              approveThreshold: config.review.approveThreshold,
              onUsage: (usage) =>
                instruments.usage(usage.operation, usage.tenantId, usage.inputTokens, usage.outputTokens),
              // A replay's budget counts every request to the model, retries and repair rounds included.
              ...(gate ? { beforeRequest: gate.admitRequest } : {}),
            });
            // Metered inside the journal: the duration and errors of calls that reach the model.
            // A replay's gate sits under the journal too: only calls the recording cannot answer meet it.
            const metered = new MeteredLlm(llm, instruments);
            return new RecordedLlm(
              gate ? new GatedLlm(metered, gate) : metered,
              journal,
              new Logger('LlmJournal'),
              (method, tenantId) => instruments.journalHit(method, tenantId),
            );
          },
          inject: [MongoCallJournal, ReplayGate],
        },
        { provide: LLM_PORT, useExisting: RecordedLlm },
        {
          provide: AgentStep,
          useFactory: (producer: EventProducer, cancellations: CancellationRegistry) =>
            new AgentStep(producer, cancellations, config.runtime.maxAttempts, {
              deadlineGraceMs: config.deadlines.graceMs,
              replay: config.replay !== undefined,
            }),
          inject: [EventProducer, CancellationRegistry],
        },
        AgentLifecycle,
      ],
      exports: [
        AGENT_CONFIG,
        MONGO_CONNECTION,
        CancellationRegistry,
        ProfileStore,
        ProfileCache,
        CatalogueStore,
        MongoCallJournal,
        LLM_PORT,
        AgentStep,
      ],
    };
  }
}

import { type DynamicModule, Global, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AGENT_CONFIG,
  AgentStep,
  type CancellationStore,
  CancellationRegistry,
  MongoCallJournal,
  ProfileCache,
} from '@tributary/agent';
import { type CatalogueItem, CatalogueStore, ProfileStore, type UserProfile } from '@tributary/catalogue';
import { type TributaryConfig } from '@tributary/config';
import { TOPICS, type TaskRequest } from '@tributary/contracts';
import { EventProducer } from '@tributary/kafka';
import { createLlm, LLM_PORT, type LlmPort } from '@tributary/llm';
import { PlannerModule } from '../../apps/planner-agent/src/planner.module';
import { ResearchModule } from '../../apps/research-agent/src/research.module';
import { VECTOR_STORE } from '../../apps/research-agent/src/research/hybrid-retrieval';
import { ReviewRounds } from '../../apps/reviewer-agent/src/review/review-rounds.repository';
import { ReviewerModule } from '../../apps/reviewer-agent/src/reviewer.module';
import { CountingLlm, type LlmCall } from './counting-llm';
import { type BusEvent, InProcessBus } from './in-process-bus';
import { MemoryReviewRounds } from '../../test/support/agents/memory-review-rounds';
import { MemoryVectorStore } from './memory-vectors';

export const EVAL_TENANT = 'eval';

/** Catalogue vectors for the whole run: a second hybrid column reuses the first one's, as services share the store. */
const vectorStore = new MemoryVectorStore();

export interface AgentsRun {
  readonly events: readonly BusEvent[];
  readonly llmCalls: readonly LlmCall[];
  readonly error?: unknown;
  readonly latencyMs: number;
}

/**
 * What AgentKitModule gives every agent, held in memory: the catalogue and profiles read from the
 * data files, a call journal that records nothing (every task calls for itself), no cancellations,
 * and the bus as the event producer.
 */
function inMemoryKit(
  config: TributaryConfig,
  bus: InProcessBus,
  llm: LlmPort,
  catalogue: readonly CatalogueItem[],
  profiles: readonly UserProfile[],
): DynamicModule {
  const byId = new Map(catalogue.map((item) => [item.id, item]));
  const catalogueStore: Pick<CatalogueStore, 'all' | 'byIds'> = {
    all: () => Promise.resolve([...catalogue]),
    byIds: (_tenant, ids) =>
      Promise.resolve(ids.map((id) => byId.get(id)).filter((item): item is CatalogueItem => !!item)),
  };
  const profileStore: Pick<ProfileStore, 'get'> = {
    get: (_tenant, userId) => Promise.resolve(profiles.find((p) => p.userId === userId) ?? null),
  };
  const callJournal: Pick<MongoCallJournal, 'recorded'> = { recorded: (_key, _scope, run) => run() };
  const noCancellations: CancellationStore = {
    init: () => Promise.resolve(),
    add: () => Promise.resolve(),
    has: () => Promise.resolve(false),
    recent: () => Promise.resolve([]),
  };
  const cancellations = new CancellationRegistry(noCancellations);
  @Global()
  @Module({})
  class InMemoryAgentKit {}
  const providers = [
    { provide: AGENT_CONFIG, useValue: config },
    { provide: EventProducer, useValue: bus.producer },
    { provide: CatalogueStore, useValue: catalogueStore },
    { provide: ProfileStore, useValue: profileStore },
    { provide: ProfileCache, useValue: new ProfileCache(profileStore) },
    { provide: MongoCallJournal, useValue: callJournal },
    { provide: CancellationRegistry, useValue: cancellations },
    { provide: LLM_PORT, useValue: llm },
    {
      provide: AgentStep,
      useValue: new AgentStep(bus.producer, cancellations, config.runtime.maxAttempts, {
        deadlineGraceMs: config.deadlines.graceMs,
      }),
    },
  ];
  return {
    module: InMemoryAgentKit,
    providers,
    exports: providers.map((provider) => provider.provide),
  };
}

/**
 * The planner, research and reviewer agents as the services run them (their own Nest modules,
 * handlers and use cases), in one process: the events go through an {@link InProcessBus} instead
 * of Kafka, and the stores are in memory. The only store an agent's module provides itself, the
 * reviewer's record of rounds, is replaced by a memory one.
 */
export class InProcessAgents {
  private constructor(
    private readonly app: INestMicroservice,
    private readonly bus: InProcessBus,
    private readonly llm: CountingLlm,
  ) {}

  get provider(): string {
    return this.llm.provider;
  }

  static async start(
    config: TributaryConfig,
    catalogue: readonly CatalogueItem[],
    profiles: readonly UserProfile[],
  ): Promise<InProcessAgents> {
    const bus = new InProcessBus(config.runtime.maxAttempts);
    const llm = new CountingLlm(
      // Retries and fallbacks are worth seeing; which provider runs, the report says.
      createLlm(
        config.llm,
        { log: () => undefined, warn: (message) => console.warn(message) },
        { approveThreshold: config.review.approveThreshold },
      ),
    );
    @Module({
      imports: [
        inMemoryKit(config, bus, llm, catalogue, profiles),
        PlannerModule,
        // Providers of a dynamic module come after the static ones of its class, so these win.
        { module: ResearchModule, providers: [{ provide: VECTOR_STORE, useValue: vectorStore }] },
        {
          module: ReviewerModule,
          providers: [{ provide: ReviewRounds, useValue: new MemoryReviewRounds() }],
        },
      ],
    })
    class InProcessRoot {}
    const app = await NestFactory.createMicroservice(InProcessRoot, {
      strategy: bus,
      logger: ['error'],
      abortOnError: false,
    });
    await app.listen();
    return new InProcessAgents(app, bus, llm);
  }

  /** Submits one request as the gateway would and runs the task to its end. */
  async run(taskId: string, request: TaskRequest): Promise<AgentsRun> {
    const startedAt = performance.now();
    const { events, error } = await this.bus.run(TOPICS.taskRequested, {
      taskId,
      tenantId: EVAL_TENANT,
      request,
      callbackUrl: null,
      requestedAt: Date.now(),
    });
    const latencyMs = performance.now() - startedAt;
    return { events, error, latencyMs, llmCalls: this.llm.take(taskId) };
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}

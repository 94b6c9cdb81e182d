import { Inject, Injectable } from '@nestjs/common';
import { AgentStep, ProfileCache, profileView, unknownUser } from '@tributary/agent';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, EventProducer } from '@tributary/kafka';
import { LLM_PORT, type LlmPort } from '@tributary/llm';

/** task.requested → task.planned: research steps from the request in words and the user's profile. */
@Injectable()
export class PlanTaskUseCase {
  constructor(
    @Inject(AgentStep) private readonly step: AgentStep,
    @Inject(ProfileCache) private readonly profiles: ProfileCache,
    @Inject(LLM_PORT) private readonly llm: LlmPort,
    @Inject(EventProducer) private readonly producer: EventProducer,
  ) {}

  execute(delivery: Delivery<typeof TOPICS.taskRequested>): Promise<void> {
    const { taskId, tenantId, request } = delivery.value;
    return this.step.run(delivery, 'planning', async ({ signal, progress, journal, settle }) => {
      await progress.report(`Planning research for “${request.query}”`);
      const profile = await this.profiles.get(tenantId, request.userId);
      if (!profile) throw unknownUser(request.userId);
      const plan = await this.llm.plan(
        { request, profile: profileView(profile) },
        { taskId, tenantId, signal, onToken: progress.token, journal },
      );
      await progress.report(`Planned ${plan.steps.length} research steps (${plan.provider})`);
      await settle();
      await this.producer.emit(
        TOPICS.taskPlanned,
        { taskId, tenantId, request, plan },
        { causedBy: delivery.envelope, headers: journal.headers() },
      );
    });
  }
}

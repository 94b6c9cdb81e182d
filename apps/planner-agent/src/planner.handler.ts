import { Controller, Inject } from '@nestjs/common';
import { TOPICS } from '@tributary/contracts';
import { type Delivery, OnEvent } from '@tributary/kafka';
import { PlanTaskUseCase } from './plan-task/plan-task.usecase';

@Controller()
export class PlannerHandler {
  constructor(@Inject(PlanTaskUseCase) private readonly planTask: PlanTaskUseCase) {}

  @OnEvent(TOPICS.taskRequested)
  onTaskRequested(delivery: Delivery<typeof TOPICS.taskRequested>): Promise<void> {
    return this.planTask.execute(delivery);
  }
}

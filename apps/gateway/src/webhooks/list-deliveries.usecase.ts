import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../common/problem';
import { type TenantId } from '../task/tenant';
import { WebhookDeliveryRepository } from '../persistence/webhook-delivery.repository';
import { TaskLog } from '../projection/task-log';
import { type TaskDeliveries } from './webhook.schemas';

/** Every attempt to deliver a task's webhook: the task by `_id` (404 for another tenant), then its delivery by `_id`. */
@Injectable()
export class ListDeliveriesUseCase {
  constructor(
    @Inject(TaskLog) private readonly log: TaskLog,
    @Inject(WebhookDeliveryRepository) private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  async execute(tenant: TenantId, taskId: string): Promise<TaskDeliveries> {
    const task = await this.log.current(tenant, taskId);
    if (!task) throw ApiProblem.notFound(`No task ${taskId}.`);
    const delivery = await this.deliveries.find(tenant, taskId);
    if (!delivery) return { taskId, webhookId: null, type: null, state: 'none', gaveUp: null, attempts: [] };
    return {
      taskId,
      webhookId: delivery.webhookId,
      type: delivery.type,
      state: delivery.state,
      gaveUp: delivery.gaveUp,
      attempts: delivery.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../http/problem';
import { TaskReader } from '../read-model/task-reader';
import { type TenantId } from '../task/tenant';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { type TaskDeliveries } from './webhook.schemas';

/** Every attempt to deliver a task's webhook: the task by `_id` (404 for another tenant), then its delivery by `_id`. */
@Injectable()
export class ListDeliveriesUseCase {
  constructor(
    @Inject(TaskReader) private readonly reader: TaskReader,
    @Inject(WebhookDeliveryRepository) private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  async execute(tenant: TenantId, taskId: string): Promise<TaskDeliveries> {
    const task = await this.reader.current(tenant, taskId);
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

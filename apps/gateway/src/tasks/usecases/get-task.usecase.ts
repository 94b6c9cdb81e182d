import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../../common/problem';
import { type TenantId } from '../../common/tenant';
import { TaskRepository } from '../../persistence/task.repository';
import { type TaskView } from '../task.schemas';
import { toTaskView } from '../task.views';

@Injectable()
export class GetTaskUseCase {
  constructor(@Inject(TaskRepository) private readonly tasks: TaskRepository) {}

  async execute(tenant: TenantId, taskId: string): Promise<TaskView> {
    const task = await this.tasks.findById(tenant, taskId);
    if (!task) throw ApiProblem.notFound(`No task ${taskId}.`);
    return toTaskView(task);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../../common/problem';
import { type TenantId } from '../../task/tenant';
import { TaskLog } from '../../projection/task-log';
import { type TaskView } from '../task.schemas';
import { toTaskView } from '../task.views';

@Injectable()
export class GetTaskUseCase {
  constructor(@Inject(TaskLog) private readonly log: TaskLog) {}

  async execute(tenant: TenantId, taskId: string): Promise<TaskView> {
    const task = await this.log.current(tenant, taskId);
    if (!task) throw ApiProblem.notFound(`No task ${taskId}.`);
    return toTaskView(task);
  }
}

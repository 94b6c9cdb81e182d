import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { TaskReader } from './task-reader';
import { type TaskView } from './task.schemas';
import { toTaskView } from './task.views';

@Injectable()
export class GetTaskUseCase {
  constructor(@Inject(TaskReader) private readonly reader: TaskReader) {}

  async execute(tenant: TenantId, taskId: string): Promise<TaskView> {
    const task = await this.reader.current(tenant, taskId);
    if (!task) throw ApiProblem.notFound(`No task ${taskId}.`);
    return toTaskView(task);
  }
}

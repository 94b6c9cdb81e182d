import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { decodeCursor, encodeCursor } from './cursor';
import { TaskRepository } from './task.repository';
import { type ListTasksQuery, type TaskPage } from './task.schemas';
import { toTaskSummary } from './task.views';

@Injectable()
export class ListTasksUseCase {
  constructor(@Inject(TaskRepository) private readonly tasks: TaskRepository) {}

  async execute(tenant: TenantId, query: ListTasksQuery): Promise<TaskPage> {
    let beforeTaskId: string | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) {
        throw ApiProblem.validation(
          'The query string has a problem: query.cursor: is not a cursor this API returned.',
          [{ path: 'query.cursor', message: 'is not a cursor this API returned' }],
        );
      }
      beforeTaskId = cursor.lastTaskId;
    }
    // One extra row tells whether another page exists without a count query.
    const rows = await this.tasks.list(tenant, {
      userId: query.userId,
      status: query.status,
      limit: query.limit + 1,
      beforeTaskId,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTaskSummary),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ lastTaskId: last.taskId }) : null,
    };
  }
}

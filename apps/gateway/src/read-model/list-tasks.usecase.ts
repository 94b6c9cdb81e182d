import { Inject, Injectable } from '@nestjs/common';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { decodeCursor, encodeCursor } from './cursor';
import { scopeOf } from './task-list';
import { TaskListReader } from './task-list.reader';
import { type ListTasksQuery, type TaskPage } from './task.schemas';
import { toTaskSummary } from './task.views';

@Injectable()
export class ListTasksUseCase {
  constructor(@Inject(TaskListReader) private readonly lists: TaskListReader) {}

  async execute(tenant: TenantId, query: ListTasksQuery): Promise<TaskPage> {
    let before: number | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) {
        throw ApiProblem.validation(
          'The query string has a problem: query.cursor: is not a cursor this API returned.',
          [{ path: 'query.cursor', message: 'is not a cursor this API returned' }],
        );
      }
      before = cursor.before;
    }
    const page = await this.lists.page(tenant, {
      scope: scopeOf({ userId: query.userId, status: query.status }),
      limit: query.limit,
      before,
    });
    return {
      items: page.items.map(toTaskSummary),
      nextCursor: page.before === undefined ? null : encodeCursor({ before: page.before }),
    };
  }
}

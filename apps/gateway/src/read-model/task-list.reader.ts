import { Inject, Injectable } from '@nestjs/common';
import { type TenantId } from '../task/tenant';
import { type ListedTask, scopePrefix, statusOfScope } from './task-list';
import { TaskListRepository } from './task-list.repository';
import { TaskRepository } from './task.repository';

export interface ListPageQuery {
  readonly scope: string;
  readonly limit: number;
  /** Only positions below this one (the cursor of the previous page). */
  readonly before?: number | undefined;
}

export interface ListPage {
  readonly items: ListedTask[];
  /** Where the next page starts (positions below it), or undefined on the last page. */
  readonly before: number | undefined;
}

/** Entries read beyond what the page needs, for those a read skips. */
const SPARE = 2;
/**
 * Most positions one page examines. A status scope of a status tasks pass through (planning, say)
 * holds an entry of every task that was ever in it; a page that finds fewer items than it asks for
 * within this many stops short and hands back a cursor, so no request reads without bound.
 */
const MAX_EXAMINED_PER_ITEM = 10;

/**
 * Reads a page of a list: the scope's newest position (head and probes), then the entries below it
 * by `_id`, concurrently, window by window. An entry whose item is final (the task ended) is shown
 * as it is; any other is checked against its task document (read by `_id`): shown with the task's
 * current item, skipped in a status scope the task has left. Cost per page: a few reads plus one
 * per entry examined, whatever the number of tasks.
 */
@Injectable()
export class TaskListReader {
  constructor(
    @Inject(TaskListRepository) private readonly lists: TaskListRepository,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
  ) {}

  async page(tenant: TenantId, query: ListPageQuery): Promise<ListPage> {
    const prefix = scopePrefix(tenant, query.scope);
    const status = statusOfScope(query.scope);
    const want = query.limit + 1;
    const budget = want * MAX_EXAMINED_PER_ITEM;
    let top = query.before === undefined ? await this.lists.newest(prefix) : query.before - 1;
    const items: ListedTask[] = [];
    let examined = 0;
    while (items.length < want && top >= 1 && examined < budget) {
      const size = Math.min(want - items.length + SPARE, budget - examined);
      const bottom = top - size + 1;
      const listed = await this.lists.window(prefix, top, bottom);
      const current = await this.tasks.findListItems(
        tenant,
        listed.filter((l) => !l.item.terminal).map((l) => l.taskId),
      );
      for (const l of listed) {
        const item = l.item.terminal ? l.item : current.get(l.taskId);
        if (item === undefined || item.tenantId !== tenant) continue;
        if (status !== undefined && item.status !== status) continue;
        if (items.length < want) items.push({ ...l, item });
      }
      examined += top - bottom + 1;
      top = bottom - 1;
    }
    if (items.length > query.limit) {
      const page = items.slice(0, query.limit);
      return { items: page, before: page[page.length - 1]!.position };
    }
    return { items, before: top >= 1 ? top + 1 : undefined };
  }
}

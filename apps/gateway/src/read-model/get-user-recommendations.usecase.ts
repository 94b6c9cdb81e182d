import { Inject, Injectable } from '@nestjs/common';
import { taskLinks } from '../http/links';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { scopeOf } from './task-list';
import { TaskListReader } from './task-list.reader';
import { type UserRecommendations } from './task.schemas';
import { UserProfileRepository } from './user-profile.repository';

@Injectable()
export class GetUserRecommendationsUseCase {
  constructor(
    @Inject(UserProfileRepository) private readonly profiles: UserProfileRepository,
    @Inject(TaskListReader) private readonly lists: TaskListReader,
  ) {}

  /** The user's completed tasks, newest first: the first page of their completed list. */
  async execute(tenant: TenantId, userId: string, limit: number): Promise<UserRecommendations> {
    const [known, page] = await Promise.all([
      this.profiles.exists(tenant, userId),
      this.lists.page(tenant, { scope: scopeOf({ userId, status: 'completed' }), limit }),
    ]);
    if (!known) throw ApiProblem.notFound(`No user ${userId}.`);
    return {
      userId,
      items: page.items.flatMap(({ taskId, item }) =>
        item.result
          ? [
              {
                taskId,
                request: item.request,
                completedAt: new Date(item.result.completedAt).toISOString(),
                summary: item.result.summary,
                recommendations: item.result.recommendations,
                bestEffort: item.result.bestEffort,
                provider: item.result.provider,
                links: taskLinks(taskId),
              },
            ]
          : [],
      ),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { taskLinks } from '../http/links';
import { ApiProblem } from '../http/problem';
import { type TenantId } from '../task/tenant';
import { TaskRepository } from './task.repository';
import { type UserRecommendations } from './task.schemas';
import { UserProfileRepository } from './user-profile.repository';

@Injectable()
export class GetUserRecommendationsUseCase {
  constructor(
    @Inject(UserProfileRepository) private readonly profiles: UserProfileRepository,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
  ) {}

  async execute(tenant: TenantId, userId: string, limit: number): Promise<UserRecommendations> {
    if (!(await this.profiles.exists(tenant, userId))) throw ApiProblem.notFound(`No user ${userId}.`);
    const tasks = await this.tasks.latestCompleted(tenant, userId, limit);
    return {
      userId,
      items: tasks.flatMap((task) =>
        task.result
          ? [
              {
                taskId: task.taskId,
                request: task.request?.query ?? null,
                completedAt: new Date(task.result.completedAt).toISOString(),
                summary: task.result.summary,
                recommendations: task.result.recommendations,
                bestEffort: task.result.bestEffort,
                provider: task.result.provider,
                links: taskLinks(task.taskId),
              },
            ]
          : [],
      ),
    };
  }
}

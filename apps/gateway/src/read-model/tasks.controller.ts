import { applyDecorators, Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/auth.guard';
import { CurrentTenant } from '../auth/current-tenant';
import { problemResponse, queryParameters, ref, TaskIdParam } from '../docs/openapi';
import { taskIdParam } from '../http/params';
import { ZodPipe } from '../http/zod-validation.pipe';
import { type TenantId } from '../task/tenant';
import { GetTaskUseCase } from './get-task.usecase';
import { ListTasksUseCase } from './list-tasks.usecase';
import { type ListTasksQuery, listTasksQuerySchema, type TaskPage, type TaskView } from './task.schemas';

/** Reads of the read model: a tenant's tasks, newest first, and one task with its whole history. */
@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(
    @Inject(GetTaskUseCase) private readonly getTask: GetTaskUseCase,
    @Inject(ListTasksUseCase) private readonly listTasks: ListTasksUseCase,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List tasks, newest first',
    description: 'Cursor pagination: pass `nextCursor` back as `cursor`.',
  })
  @applyDecorators(...queryParameters(listTasksQuerySchema).map((q) => ApiQuery(q)))
  @ApiResponse({ status: 200, schema: ref('TaskPage') })
  @ApiResponse(problemResponse(400, 'A query parameter is at fault (see `errors`).'))
  list(
    @CurrentTenant() tenant: TenantId,
    @Query(new ZodPipe(listTasksQuerySchema, 'query')) query: ListTasksQuery,
  ): Promise<TaskPage> {
    return this.listTasks.execute(tenant, query);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'A task: status, plan, review rounds, result, timeline' })
  @TaskIdParam()
  @ApiResponse({ status: 200, schema: ref('Task') })
  get(@CurrentTenant() tenant: TenantId, @Param(taskIdParam) params: { id: string }): Promise<TaskView> {
    return this.getTask.execute(tenant, params.id);
  }
}

import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { RequireScope } from '../auth/auth.guard';
import { TASK_ID_PATTERN } from '../task/ids';
import { CurrentTenant } from '../auth/current-tenant';
import { type TenantId } from '../task/tenant';
import { ZodPipe } from '../common/zod-validation.pipe';
import { problemResponse, queryParameters, ref } from '../docs/openapi';
import { SseHub } from '../events/sse-hub';
import { StreamTaskEventsUseCase } from '../events/stream-task-events.usecase';
import { resumePoint } from '../http/last-event-id';
import { serveEventStream } from '../http/serve-event-stream';
import {
  IDEMPOTENCY_KEY_PATTERN,
  idempotencyKeyHeaderSchema,
  type CancelAccepted,
  type CancelTaskBody,
  cancelTaskBodySchema,
  type ListTasksQuery,
  listTasksQuerySchema,
  type SubmitTaskBody,
  submitTaskBodySchema,
  type TaskAccepted,
  type TaskEventsQuery,
  taskEventsQuerySchema,
  taskIdParamsSchema,
  type TaskPage,
  type TaskView,
} from './task.schemas';
import { CancelTaskUseCase } from './usecases/cancel-task.usecase';
import { GetTaskUseCase } from './usecases/get-task.usecase';
import { ListTasksUseCase } from './usecases/list-tasks.usecase';
import { SubmitTaskUseCase } from './usecases/submit-task.usecase';

const taskIdParam = new ZodPipe(taskIdParamsSchema, 'params');
const idempotencyKeyHeader = new ZodPipe(idempotencyKeyHeaderSchema, 'header');

const TaskIdParam = () =>
  applyDecorators(
    ApiParam({ name: 'id', schema: { type: 'string', pattern: TASK_ID_PATTERN.source } }),
    ApiResponse(problemResponse(400, 'The task id is not well-formed.')),
    ApiResponse(problemResponse(404, 'No such task (for this tenant).')),
  );

@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(
    @Inject(SubmitTaskUseCase) private readonly submitTask: SubmitTaskUseCase,
    @Inject(GetTaskUseCase) private readonly getTask: GetTaskUseCase,
    @Inject(ListTasksUseCase) private readonly listTasks: ListTasksUseCase,
    @Inject(CancelTaskUseCase) private readonly cancelTask: CancelTaskUseCase,
    @Inject(StreamTaskEventsUseCase) private readonly streamEvents: StreamTaskEventsUseCase,
    @Inject(SseHub) private readonly hub: SseHub,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('submit')
  @ApiOperation({
    summary: 'Submit a task',
    description:
      'Answers at once with the task id; the agents work asynchronously. With `Idempotency-Key`, ' +
      'repeating the request (same key, same body) answers with the same task and creates nothing new.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A unique key per intended task (a UUID, say), kept 24 h or more; the same key with a different body is a 409.',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
  })
  @ApiBody({ schema: ref('SubmitTask') })
  @ApiResponse({
    status: 202,
    description: 'Accepted; `Location` names the task.',
    schema: ref('TaskAccepted'),
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiResponse(problemResponse(400, 'Invalid JSON or a field at fault (see `errors`).'))
  @ApiResponse(problemResponse(413, 'The body is larger than 64 KiB.'))
  @ApiResponse(problemResponse(415, 'The body is not `application/json`.'))
  @ApiResponse(
    problemResponse(
      409,
      'The `Idempotency-Key` was used with another body, or its first request is still running (`Retry-After`).',
    ),
  )
  @ApiResponse(problemResponse(422, 'The user has no profile.'))
  @ApiResponse(
    problemResponse(503, 'Kafka did not take the task; nothing was submitted. Retry after `Retry-After`.'),
  )
  async submit(
    @CurrentTenant() tenant: TenantId,
    @Body(new ZodPipe(submitTaskBodySchema, 'body')) body: SubmitTaskBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskAccepted> {
    const accepted = await this.submitTask.execute({
      tenant,
      body,
      idempotencyKey: idempotencyKeyHeader.transform({ 'idempotency-key': idempotencyKey })[
        'idempotency-key'
      ],
    });
    void reply.header('location', accepted.links.self);
    return accepted;
  }

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

  @Get(':id/events')
  @RequireScope('read')
  @ApiOperation({
    summary: "A task's events as Server-Sent Events",
    description:
      'History first, then live, in order; each event has `id:` (its seq), `event:` (its type) and one JSON `data:` line. ' +
      'Reconnect with `Last-Event-ID` to resume with no gap or repeat. The stream ends after the event that ends the task; ' +
      '204 when the task has ended and the client already has every event.',
  })
  @TaskIdParam()
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id (seq) of the last event received.',
    schema: { type: 'string', pattern: '^\\s*(\\d{1,15})?\\s*$' },
  })
  @applyDecorators(...queryParameters(taskEventsQuerySchema).map((q) => ApiQuery(q)))
  @ApiResponse({
    status: 200,
    description: 'An event stream.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 204, description: 'The task has ended and there is nothing after Last-Event-ID.' })
  async events(
    @CurrentTenant() tenant: TenantId,
    @Param(taskIdParam) params: { id: string },
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query(new ZodPipe(taskEventsQuerySchema, 'query')) query: TaskEventsQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    serveEventStream(
      reply,
      await this.streamEvents.execute(tenant, params.id, resumePoint(lastEventId, query.lastEventId)),
      this.hub,
    );
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @RequireScope('cancel')
  @ApiOperation({
    summary: 'Cancel a task',
    description: 'The agents stop work on it; it ends `cancelled` unless it ended first.',
  })
  @TaskIdParam()
  @ApiBody({ schema: ref('CancelTask'), required: false })
  @ApiResponse({ status: 202, schema: ref('CancelAccepted') })
  @ApiResponse(problemResponse(409, 'The task has already ended.'))
  @ApiResponse(problemResponse(503, 'Kafka did not take the cancellation. Retry after `Retry-After`.'))
  cancel(
    @CurrentTenant() tenant: TenantId,
    @Param(taskIdParam) params: { id: string },
    @Body(new ZodPipe(cancelTaskBodySchema, 'body')) body: CancelTaskBody,
  ): Promise<CancelAccepted> {
    return this.cancelTask.execute(tenant, params.id, body?.reason);
  }
}

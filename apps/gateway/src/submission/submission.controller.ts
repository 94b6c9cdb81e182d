import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { RequireScope } from '../auth/auth.guard';
import { forbidden } from '../auth/auth-problems';
import { CurrentPrincipal, CurrentTenant } from '../auth/current-tenant';
import { type Principal } from '../auth/principal';
import { grants } from '../auth/scopes';
import { problemResponse, ref, TaskIdParam } from '../docs/openapi';
import { taskIdParam } from '../http/params';
import { ZodPipe } from '../http/zod-validation.pipe';
import { type TenantId } from '../task/tenant';
import { CancelTaskUseCase } from './cancel-task.usecase';
import {
  type CancelAccepted,
  type CancelTaskBody,
  cancelTaskBodySchema,
  IDEMPOTENCY_KEY_PATTERN,
  idempotencyKeyHeaderSchema,
  type SubmitTaskBody,
  submitTaskBodySchema,
  type TaskAccepted,
} from './submission.schemas';
import { SubmitTaskUseCase } from './submit-task.usecase';

const idempotencyKeyHeader = new ZodPipe(idempotencyKeyHeaderSchema, 'header');

/** The commands a client sends about a task: submit it, cancel it. Both answer 202 at once. */
@ApiTags('tasks')
@Controller('v1/tasks')
export class SubmissionController {
  constructor(
    @Inject(SubmitTaskUseCase) private readonly submitTask: SubmitTaskUseCase,
    @Inject(CancelTaskUseCase) private readonly cancelTask: CancelTaskUseCase,
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
  @ApiResponse(problemResponse(403, '`priority: high` without the `priority` scope.'))
  @ApiResponse(problemResponse(422, 'The user has no profile.'))
  @ApiResponse(
    problemResponse(
      503,
      '`unavailable`: Kafka (or the store) did not take the task; nothing was submitted, retry after `Retry-After`. ' +
        '`outcome-unknown`: Kafka did not confirm in time, the task (`taskId`) may have been submitted; ' +
        'retry with the same `Idempotency-Key` to complete it.',
    ),
  )
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(submitTaskBodySchema, 'body')) body: SubmitTaskBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskAccepted> {
    if (body.priority === 'high' && !grants(principal.scopes, 'priority')) throw forbidden('priority');
    const accepted = await this.submitTask.execute({
      tenant: principal.tenant,
      body,
      idempotencyKey: idempotencyKeyHeader.transform({ 'idempotency-key': idempotencyKey })[
        'idempotency-key'
      ],
    });
    void reply.header('location', accepted.links.self);
    return accepted;
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
  @ApiResponse(
    problemResponse(
      503,
      'Kafka did not take (`unavailable`) or did not confirm (`outcome-unknown`) the cancellation; cancelling again is safe.',
    ),
  )
  cancel(
    @CurrentTenant() tenant: TenantId,
    @Param(taskIdParam) params: { id: string },
    @Body(new ZodPipe(cancelTaskBodySchema, 'body')) body: CancelTaskBody,
  ): Promise<CancelAccepted> {
    return this.cancelTask.execute(tenant, params.id, body?.reason);
  }
}

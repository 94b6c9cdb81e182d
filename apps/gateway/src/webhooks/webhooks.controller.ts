import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/auth.guard';
import { TASK_ID_PATTERN } from '../task/ids';
import { CurrentTenant } from '../auth/current-tenant';
import { type TenantId } from '../task/tenant';
import { ZodPipe } from '../common/zod-validation.pipe';
import { problemResponse, ref } from '../docs/openapi';
import { TenantWebhookRepository } from '../persistence/tenant-webhook.repository';
import { taskIdParamsSchema } from '../tasks/task.schemas';
import { ListDeliveriesUseCase } from './list-deliveries.usecase';
import {
  type PutWebhookEndpointBody,
  putWebhookEndpointBodySchema,
  type TaskDeliveries,
  type WebhookEndpoint,
} from './webhook.schemas';

@ApiTags('webhooks')
@Controller('v1')
export class WebhooksController {
  constructor(
    @Inject(ListDeliveriesUseCase) private readonly listDeliveries: ListDeliveriesUseCase,
    @Inject(TenantWebhookRepository) private readonly tenants: TenantWebhookRepository,
  ) {}

  @Get('tasks/:id/deliveries')
  @RequireScope('read')
  @ApiOperation({
    summary: "Attempts to deliver a task's webhook",
    description: 'Every attempt, in order, with the answer or error; webhooks are sent when the task ends.',
  })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: TASK_ID_PATTERN.source } })
  @ApiResponse({ status: 200, schema: ref('TaskDeliveries') })
  @ApiResponse(problemResponse(400, 'The task id is not well-formed.'))
  @ApiResponse(problemResponse(404, 'No such task (for this tenant).'))
  deliveries(
    @CurrentTenant() tenant: TenantId,
    @Param(new ZodPipe(taskIdParamsSchema, 'params')) params: { id: string },
  ): Promise<TaskDeliveries> {
    return this.listDeliveries.execute(tenant, params.id);
  }

  @Get('webhook-endpoint')
  @RequireScope('admin')
  @ApiOperation({ summary: "The tenant's webhook endpoint and signing secret" })
  @ApiResponse({ status: 200, schema: ref('WebhookEndpoint') })
  async endpoint(@CurrentTenant() tenant: TenantId): Promise<WebhookEndpoint> {
    const settings = await this.tenants.ensure(tenant);
    return { url: settings.url, secret: settings.secret };
  }

  @Put('webhook-endpoint')
  @RequireScope('admin')
  @ApiOperation({
    summary: "Set the tenant's webhook endpoint",
    description: 'Used for tasks without a `callbackUrl`; `rotateSecret` mints a new signing secret.',
  })
  @ApiBody({ schema: ref('PutWebhookEndpoint') })
  @ApiResponse({ status: 200, schema: ref('WebhookEndpoint') })
  @ApiResponse(problemResponse(400, 'Invalid JSON or a field at fault (see `errors`).'))
  @ApiResponse(problemResponse(415, 'The body is not `application/json`.'))
  async setEndpoint(
    @CurrentTenant() tenant: TenantId,
    @Body(new ZodPipe(putWebhookEndpointBodySchema, 'body')) body: PutWebhookEndpointBody,
  ): Promise<WebhookEndpoint> {
    let settings = await this.tenants.setUrl(tenant, body.url);
    if (body.rotateSecret) settings = await this.tenants.rotateSecret(tenant);
    return { url: settings.url, secret: settings.secret };
  }
}

import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/auth.guard';
import { CurrentTenant } from '../auth/current-tenant';
import { problemResponse, ref, TaskIdParam } from '../docs/openapi';
import { taskIdParam } from '../http/params';
import { ZodPipe } from '../http/zod-validation.pipe';
import { type TenantId } from '../task/tenant';
import { ListDeliveriesUseCase } from './list-deliveries.usecase';
import { TenantWebhookRepository } from './tenant-webhook.repository';
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
  @TaskIdParam()
  @ApiResponse({ status: 200, schema: ref('TaskDeliveries') })
  deliveries(
    @CurrentTenant() tenant: TenantId,
    @Param(taskIdParam) params: { id: string },
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

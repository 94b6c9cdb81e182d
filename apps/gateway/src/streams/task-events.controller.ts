import { applyDecorators, Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { RequireScope } from '../auth/auth.guard';
import { CurrentTenant } from '../auth/current-tenant';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { queryParameters, TaskIdParam } from '../docs/openapi';
import { taskIdParam } from '../http/params';
import { ZodPipe } from '../http/zod-validation.pipe';
import { type TenantId } from '../task/tenant';
import { FEED_ID_PATTERN, resumePoint } from './last-event-id';
import { serveEventStream } from './serve-event-stream';
import { SseHub } from './sse-hub';
import { StreamTaskEventsUseCase } from './stream-task-events.usecase';
import { type TaskEventsQuery, taskEventsQuerySchema } from './stream.schemas';

/** A task's events, live, as Server-Sent Events. */
@ApiTags('tasks')
@Controller('v1/tasks')
export class TaskEventsController {
  constructor(
    @Inject(StreamTaskEventsUseCase) private readonly streamEvents: StreamTaskEventsUseCase,
    @Inject(SseHub) private readonly hub: SseHub,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  @Get(':id/events')
  @RequireScope('read')
  @ApiOperation({
    summary: "A task's events as Server-Sent Events",
    description:
      'History first, then live, in causal order; each event has `id:` (its causal position, `depth.index`, the same on every ' +
      'gateway instance), `event:` (its type) and one JSON `data:` line. Reconnect to any instance with `Last-Event-ID` ' +
      'to resume with no gap or repeat; an id the task never sent resumes from the start. The stream ends after the event ' +
      'that ends the task; 204 when the task has ended and the client already has every event.',
  })
  @TaskIdParam()
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: "The id of the last event received (a causal position such as '2.1').",
    schema: { type: 'string', pattern: `^\\s*(${FEED_ID_PATTERN.slice(1, -1)})?\\s*$` },
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
      this.options.sse.retryMs,
    );
  }
}

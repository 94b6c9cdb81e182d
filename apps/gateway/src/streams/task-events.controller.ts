import { applyDecorators, Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { RequireScope } from '../auth/auth.guard';
import { Authenticator } from '../auth/authenticator';
import { CurrentPrincipal } from '../auth/current-tenant';
import { type Principal } from '../auth/principal';
import { type TributaryConfig } from '@tributary/config';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { queryParameters, TaskIdParam } from '../docs/openapi';
import { taskIdParam } from '../http/params';
import { ZodPipe } from '../http/zod-validation.pipe';
import { FEED_ID_PATTERN, resumePoint } from './last-event-id';
import { serveEventStream } from './serve-event-stream';
import { SseHub } from './sse-hub';
import { StreamLimits } from './stream-limits';
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
    @Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig,
    @Inject(StreamLimits) private readonly limits: StreamLimits,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  @Get(':id/events')
  @RequireScope('read')
  @ApiOperation({
    summary: "A task's events as Server-Sent Events",
    description:
      'History first, then live, in causal order; each event has `id:` (its causal position, `depth.index`, the same on every ' +
      'gateway instance), `event:` (its type) and one JSON `data:` line. Reconnect to any instance with `Last-Event-ID` ' +
      'to resume with no gap or repeat; an id the task never sent resumes from the start. The stream ends after the event ' +
      'that ends the task; 204 when the task has ended and the client already has every event. A stream also ends ' +
      'after its maximum lifetime (resume with `Last-Event-ID`) and when its API key is revoked or its token expires.',
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
  @ApiResponse({
    status: 429,
    description:
      'The credential or its tenant already holds its limit of open event streams (`too-many-streams`).',
  })
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param(taskIdParam) params: { id: string },
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query(new ZodPipe(taskEventsQuerySchema, 'query')) query: TaskEventsQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const release = this.limits.admit(principal);
    let opened;
    try {
      opened = await this.streamEvents.execute(
        principal.tenant,
        params.id,
        resumePoint(lastEventId, query.lastEventId),
      );
    } catch (error) {
      release();
      throw error;
    }
    const lifetimeEnds = Date.now() + this.config.gateway.streams.maxLifetimeMs;
    const expiresAt = principal.expiresAt ?? Infinity;
    serveEventStream(reply, opened, this.hub, this.options.sse.retryMs, {
      endsAt: Math.min(expiresAt, lifetimeEnds),
      endsFor: expiresAt < lifetimeEnds ? 'credential-expired' : 'max-lifetime',
      checkEveryMs: this.options.sse.credentialCheckMs,
      stillValid: () => this.authenticator.stillValid(principal),
      release,
    });
  }
}

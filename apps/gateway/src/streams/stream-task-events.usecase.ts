import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { ApiProblem } from '../http/problem';
import { TaskRepository } from '../read-model/task.repository';
import { AcceptedHere } from '../read-model/accepted-here';
import { type TenantId } from '../task/tenant';
import { SseHub } from './sse-hub';
import { TASK_EVENT_SOURCE } from './streams.tokens';
import { type TaskEventSource, TaskLogStream } from './task-log-stream';

export type OpenedStream =
  { readonly kind: 'stream'; readonly stream: TaskLogStream } | { readonly kind: 'ended' };

/**
 * Opens a task's event stream from the log (ADR 0008), after `after` (the client's Last-Event-ID;
 * undefined for the whole history; an id the task's history does not hold also means the whole
 * history). `ended` means the task is over and the client has every event: the HTTP layer answers
 * 204, which tells an EventSource not to reconnect.
 */
@Injectable()
export class StreamTaskEventsUseCase {
  constructor(
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TASK_EVENT_SOURCE) private readonly source: TaskEventSource,
    @Inject(SseHub) private readonly hub: SseHub,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(AcceptedHere) private readonly acceptedHere: AcceptedHere,
  ) {}

  async execute(tenant: TenantId, taskId: string, after: string | undefined): Promise<OpenedStream> {
    // A task this process accepted exists (since its acceptance): no read to know it.
    const createdAt =
      this.acceptedHere.of(tenant, taskId)?.acceptedAt ??
      (await this.tasks.findById(tenant, taskId))?.createdAt;
    if (createdAt === undefined) throw ApiProblem.notFound(`No task ${taskId}.`);
    const stream = new TaskLogStream(this.source, tenant, taskId, after, this.options.sse);
    try {
      if (!(await stream.prepare(createdAt))) {
        stream.close();
        return { kind: 'ended' };
      }
    } catch (error) {
      stream.close();
      throw error;
    }
    this.hub.track(stream);
    return { kind: 'stream', stream };
  }
}

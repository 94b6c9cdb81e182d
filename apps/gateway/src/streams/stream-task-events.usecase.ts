import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../config/gateway.options';
import { ApiProblem } from '../http/problem';
import { TaskEventRepository } from '../read-model/task-event.repository';
import { TaskNotifier } from '../read-model/task-notifier';
import { TaskReader } from '../read-model/task-reader';
import { TaskRepository } from '../read-model/task.repository';
import { type TenantId } from '../task/tenant';
import { SseHub } from './sse-hub';
import { TaskEventStream } from './task-event-stream';

export type OpenedStream =
  { readonly kind: 'stream'; readonly stream: TaskEventStream } | { readonly kind: 'ended' };

/**
 * Opens a task's event stream after `afterSeq` (0 for the whole history). `ended` means the task
 * is over and the client has every event: the HTTP layer answers 204, which tells an EventSource
 * not to reconnect.
 */
@Injectable()
export class StreamTaskEventsUseCase {
  constructor(
    @Inject(TaskReader) private readonly reader: TaskReader,
    @Inject(TaskRepository) private readonly tasks: TaskRepository,
    @Inject(TaskEventRepository) private readonly events: TaskEventRepository,
    @Inject(TaskNotifier) private readonly notifier: TaskNotifier,
    @Inject(SseHub) private readonly hub: SseHub,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
  ) {}

  async execute(tenant: TenantId, taskId: string, afterSeq: number): Promise<OpenedStream> {
    // The task as its log has it (document, then the claims after it): a client may hold a seq the
    // task document does not show yet.
    const progress = await this.reader.current(tenant, taskId);
    if (!progress) throw ApiProblem.notFound(`No task ${taskId}.`);
    if (afterSeq > progress.version) {
      throw ApiProblem.validation(
        `Last-Event-ID ${afterSeq} is ahead of the task's last event (${progress.version}).`,
        [
          {
            path: 'header.last-event-id',
            message: `is ahead of the task's last event (${progress.version})`,
          },
        ],
      );
    }
    if (progress.terminal && afterSeq === progress.version) return { kind: 'ended' };
    const stream = new TaskEventStream(
      { tasks: this.tasks, events: this.events, notifier: this.notifier },
      tenant,
      taskId,
      afterSeq,
      this.options.sse,
    );
    this.hub.track(stream);
    return { kind: 'stream', stream };
  }
}

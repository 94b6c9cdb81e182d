import { Logger } from '@nestjs/common';
import {
  derivedEventId,
  HEADERS,
  headerString,
  parsePosition,
  priorityFromHeaders,
  resolveTopicName,
  TOPICS,
} from '@tributary/contracts';
import { type EmitOptions, type EventProducer, type UndeliverableMessage } from '@tributary/kafka';
import { stageName } from './task-failure';

/** The event type a stand-in cause id is derived with, when the unreadable event has no id of its own. */
const UNREADABLE_CAUSE = 'undeliverable';

/**
 * Ends the task of an event this agent could not read. The runtime dead-letters the record (the
 * reason in its headers, for operators) and then calls `handle`; the task's client gets
 * `task.failed` with code `undecodable-event` instead of a task that never ends. The task id is the
 * record's key (every catalogue event is keyed by it; a `correlationId` header that says otherwise
 * makes the record untrustworthy), the tenant is the envelope's `tenantId` header. Without both
 * nothing can be addressed: that is logged, and the task ends at its deadline.
 *
 * An unreadable cancel request is not a reason to fail a task (it goes on, and may still be
 * cancelled again); every other topic an agent consumes carries the task's next step.
 */
export class UndeliverableEvents {
  private readonly logger = new Logger(UndeliverableEvents.name);

  constructor(
    private readonly producer: EventProducer,
    /** The stage this agent works on (planning, researching, reviewing), named in the failure. */
    private readonly stage: string,
  ) {}

  readonly handle = async (message: UndeliverableMessage): Promise<void> => {
    const where = `${message.topic}/${message.partition}/${message.offset}`;
    // In a namespace (a replay) the topic is `<namespace>.<topic>`.
    if (resolveTopicName(message.topic)?.topic.name.endsWith(TOPICS.taskCancelRequested.name) === true) {
      this.logger.warn(`unreadable cancel request ${where} dead-lettered; its task goes on`);
      return;
    }
    const { headers } = message;
    const taskId = message.key;
    const tenantId = headerString(headers, HEADERS.tenantId);
    const correlationId = headerString(headers, HEADERS.correlationId);
    if (taskId === null || taskId === '' || tenantId === undefined || tenantId === '') {
      this.logger.error(
        `unreadable event ${where} names no task (key) or no tenant (header): dead-lettered, its task ends at its deadline`,
      );
      return;
    }
    if (correlationId !== undefined && correlationId !== taskId) {
      this.logger.error(
        `unreadable event ${where}: its key ${taskId} and its correlationId ${correlationId} disagree; dead-lettered, no task failed`,
      );
      return;
    }
    const eventId = headerString(headers, HEADERS.eventId) ?? derivedEventId(where, UNREADABLE_CAUSE);
    const position = parsePosition(headerString(headers, HEADERS.position));
    const causedBy: NonNullable<EmitOptions['causedBy']> = {
      eventId,
      // An unreadable trace context starts a new trace (mintEnvelope checks it).
      traceparent: headerString(headers, HEADERS.traceparent) ?? '',
      priority: priorityFromHeaders(headers),
      ...(position === undefined ? {} : { position }),
    };
    this.logger.error(`task ${taskId}: event ${where} could not be read; the task fails (undecodable-event)`);
    await this.producer.emit(
      TOPICS.taskFailed,
      {
        taskId,
        tenantId,
        stage: this.stage,
        code: 'undecodable-event',
        reason: `${stageName(this.stage)} could not read an event of the task, so the task cannot go on.`,
        failedAt: Date.now(),
      },
      { causedBy, key: taskId, tenantId },
    );
  };
}

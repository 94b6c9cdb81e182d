import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type TopicKey, TOPICS } from '@tributary/contracts';
import { type Delivery, type ParallelConsumer, PermanentError } from '@tributary/kafka';
import { inSpan, TRIBUTARY } from '@tributary/tracing';
import { type ProjectedEvent } from '../../task/task-state';
import { toProjected } from '../../task/to-projected';
import { GroupCommitter } from '../group-committer';
import { type ProjectionApplier } from './projection-applier';

type Outcome = 'stored' | 'refused';

/**
 * Feeds every task topic into the projection through the runtime's key-parallel consumer. A
 * handler resolves only once its event is written (group-committed with whatever else arrived
 * meanwhile), so the consumer commits an offset only after the write; a failed write rejects, and
 * the runtime retries the event through the group's retry topic. An event whose task belongs to
 * another tenant is refused and goes straight to the dead-letter topic.
 */
export class ProjectionConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProjectionConsumer.name);
  private readonly committer: GroupCommitter<ProjectedEvent, Outcome>;

  constructor(
    /** The runtime's consumer of the group (its metrics, whenJoined); stopped by the KafkaRuntime. */
    readonly consumer: ParallelConsumer,
    applier: ProjectionApplier,
    maxBatch: number,
    /** See GatewayOptions.projection.lingerMs. */
    lingerMs: number,
  ) {
    this.committer = new GroupCommitter<ProjectedEvent, Outcome>(
      async (events) => {
        const report = await applier.apply(events);
        const refused = new Set(report.refused.map((e) => e.eventId));
        return (index) => (refused.has(events[index]!.eventId) ? 'refused' : 'stored');
      },
      maxBatch,
      lingerMs,
    );
    for (const kind of Object.keys(TOPICS) as TopicKey[]) this.route(kind);
  }

  private route<K extends TopicKey>(kind: K): void {
    this.consumer.handle(TOPICS[kind], async (delivery: Delivery<(typeof TOPICS)[K]>) => {
      const outcome = await this.apply(kind, delivery);
      if (outcome === 'refused') {
        throw new PermanentError(
          `task ${delivery.key} belongs to another tenant than ${delivery.envelope.tenantId}`,
          {
            topic: delivery.topic,
            partition: delivery.partition,
            offset: delivery.offset,
          },
        );
      }
    });
  }

  /**
   * One event into the read model, in a `projection apply` span: how long it waited for its group
   * write, and what it did to the task (a cancel request or a failure says so).
   */
  private apply<K extends TopicKey>(kind: K, delivery: Delivery<(typeof TOPICS)[K]>): Promise<Outcome> {
    const event = toProjected(kind, delivery.envelope, delivery.value);
    const value = delivery.value as { taskId: string; code?: unknown };
    return inSpan(
      'projection apply',
      {
        attributes: {
          [TRIBUTARY.taskId]: value.taskId,
          [TRIBUTARY.tenantId]: delivery.envelope.tenantId,
          [TRIBUTARY.eventType]: kind,
          ...(kind === 'taskCancelRequested' ? { [TRIBUTARY.cancelled]: true } : {}),
          ...(kind === 'taskFailed' && typeof value.code === 'string'
            ? { [TRIBUTARY.failureCode]: value.code }
            : {}),
        },
      },
      async (span) => {
        const outcome = await this.committer.submit(event);
        span.setAttribute(TRIBUTARY.projectionOutcome, outcome);
        return outcome;
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.log('projection consumer started');
  }
}

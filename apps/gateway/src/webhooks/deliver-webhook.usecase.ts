import { Inject, Injectable, Logger } from '@nestjs/common';
import { type TributaryConfig } from '@tributary/config';
import { RetriableError } from '@tributary/kafka';
import { webhookMetrics } from '@tributary/metrics';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { context, failSpan, inSpan, SpanKind, trace, traceHeaders, TRIBUTARY } from '@tributary/tracing';
import { TRIBUTARY_CONFIG } from '../config/tokens';
import { TaskNotifier } from '../read-model/task-notifier';
import { TaskReader } from '../read-model/task-reader';
import { AcceptedHere } from '../read-model/accepted-here';
import { isTerminal } from '../task/status';
import { type TaskState } from '../task/task-state';
import { type TenantId } from '../task/tenant';
import { webhookHeaders } from './signature';
import { type TenantShares } from './tenant-shares';
import { TenantWebhookRepository } from './tenant-webhook.repository';
import { WebhookDeliveryRepository, type WebhookEventType } from './webhook-delivery.repository';
import { webhookBody, webhookIdOf, webhookTypeOf } from './webhook-payload';
import { type SendOutcome, type WebhookRequest, type WebhookTransport } from './webhook-sender';

export const WEBHOOK_TRANSPORT = Symbol('WEBHOOK_TRANSPORT');
export const WEBHOOK_TENANT_SHARES = Symbol('WEBHOOK_TENANT_SHARES');

/** How long a handler waits for the projection to show the task ended before it retries later. */
const PROJECTION_WAIT_MS = 5_000;
/**
 * While it waits, the handler wakes when this process's projection applies a terminal event of the
 * task (TaskNotifier), and otherwise reads again this often, for another instance's projection.
 */
const PROJECTION_POLL_MS = 1_000;

export interface TerminalEvent {
  readonly tenant: TenantId;
  readonly taskId: string;
  readonly eventId: string;
  /** What this event ends the task as, if it is the event that ends it. */
  readonly endsAs: WebhookEventType;
  /** When the event was produced: retries for a task the read model never shows stop `maxAgeMs` after it. */
  readonly occurredAt: Date;
}

/**
 * Sends a task's webhook when it ends: to its `callbackUrl`, else to the tenant's registered
 * endpoint, signed with the tenant's secret. Runs in the webhooks consumer, never on a request.
 *
 * The read model decides how the task ended (the first terminal event wins, and only that event's
 * handler sends). One attempt per call: a failure records the attempt and throws a RetriableError,
 * so the runtime schedules the next attempt through the group's retry topic with exponential
 * backoff; attempts stop when one succeeds, when the target is refused, or once `maxAgeMs` (24 h)
 * has passed since the first.
 *
 * Fairness: a send needs a slot of its tenant's share ({@link TenantShares}); with the share taken
 * (the tenant's endpoint is slow), the delivery is deferred through the retry topic without an
 * attempt, so one tenant's endpoint never holds every slot.
 */
@Injectable()
export class DeliverWebhookUseCase {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(TRIBUTARY_CONFIG) private readonly config: TributaryConfig,
    @Inject(TaskReader) private readonly reader: TaskReader,
    @Inject(TaskNotifier) private readonly notifier: TaskNotifier,
    @Inject(WebhookDeliveryRepository) private readonly deliveries: WebhookDeliveryRepository,
    @Inject(TenantWebhookRepository) private readonly tenants: TenantWebhookRepository,
    @Inject(WEBHOOK_TRANSPORT) private readonly transport: WebhookTransport,
    @Inject(WEBHOOK_TENANT_SHARES) private readonly shares: TenantShares,
    @Inject(AcceptedHere) private readonly acceptedHere: AcceptedHere,
  ) {}

  async execute(event: TerminalEvent, signal?: AbortSignal): Promise<void> {
    // A task this process accepted without a callback URL needs the tenant's endpoint, if any: known
    // without reading the task.
    const accepted = this.acceptedHere.of(event.tenant, event.taskId);
    const settings = await this.tenants.findRecent(event.tenant);
    if (accepted?.callbackUrl === null && (settings?.url ?? null) === null) return;
    const task = await this.endedTask(event, settings?.url ?? null, signal);
    if (task === null) return;
    if (webhookTypeOf(task.status) !== event.endsAs) return; // another terminal event ended it
    const url = task.callbackUrl ?? settings?.url ?? null;
    if (url === null) return;

    const delivery = await this.deliveries.claim({
      _id: task.taskId,
      tenantId: event.tenant,
      webhookId: webhookIdOf(task.taskId),
      type: event.endsAs,
      eventId: event.eventId,
      url,
    });
    if (delivery.eventId !== event.eventId || delivery.state !== 'pending') return;

    const age = Date.now() - delivery.createdAt.getTime();
    const { maxAgeMs } = this.config.gateway.webhooks;
    if (delivery.attempts.length > 0 && age >= maxAgeMs) {
      await this.deliveries.markFailed(
        task.taskId,
        `no success within ${Math.round(maxAgeMs / 3_600_000)} h`,
      );
      return;
    }

    // Read again: a secret rotated through another gateway signs from the next attempt on.
    const { secret } = await this.tenants.ensure(event.tenant);
    const body = webhookBody(task, event.endsAs);
    const timestamp = Math.floor(Date.now() / 1000);
    const at = new Date();
    const release = this.shares.tryTake(event.tenant);
    if (release === undefined) {
      // Not an attempt: the tenant's other sends hold its share. The retry topic holds this one
      // meanwhile (no slot, no key blocked) and brings it back after the group's backoff.
      throw new RetriableError(
        `webhook of task ${task.taskId} deferred: tenant ${event.tenant} has ${this.shares.held(event.tenant)} deliveries in flight, its share`,
      );
    }
    let outcome;
    try {
      outcome = await this.send(delivery.url, delivery.attempts.length + 1, {
        url: delivery.url,
        headers: webhookHeaders(secret, delivery.webhookId, timestamp, body),
        body,
      });
    } finally {
      release();
    }
    const attempt = {
      attempt: delivery.attempts.length + 1,
      at,
      url: delivery.url,
      status: outcome.kind === 'refused' ? null : outcome.status,
      outcome: outcome.kind,
      error: outcome.kind === 'delivered' ? null : outcome.error,
      durationMs: outcome.durationMs,
    };
    webhookMetrics.attempt(outcome.kind, outcome.durationMs / 1000);
    this.logger.log({
      msg: 'webhook attempt',
      taskId: task.taskId,
      webhookId: delivery.webhookId,
      ...attempt,
    });
    switch (outcome.kind) {
      case 'delivered':
        await this.deliveries.recordAttempt(task.taskId, attempt, 'delivered');
        return;
      case 'refused':
        await this.deliveries.recordAttempt(task.taskId, attempt, 'failed', outcome.error);
        return;
      case 'failed':
        if (Date.now() - delivery.createdAt.getTime() >= maxAgeMs) {
          await this.deliveries.recordAttempt(
            task.taskId,
            attempt,
            'failed',
            `no success within the retry window`,
          );
          return;
        }
        await this.deliveries.recordAttempt(task.taskId, attempt, 'pending');
        throw new RetriableError(`webhook to ${delivery.url} failed: ${outcome.error}`);
    }
  }

  /**
   * One attempt as a `POST` client span (HTTP semantic conventions; the address without its path or
   * query, which may hold a receiver's token), its W3C `traceparent` sent along so a receiver can
   * continue the task's trace.
   */
  private send(url: string, attempt: number, request: WebhookRequest): Promise<SendOutcome> {
    let target: URL | undefined;
    try {
      target = new URL(url);
    } catch {
      target = undefined;
    }
    return inSpan(
      'POST',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: 'POST',
          ...(target
            ? { [ATTR_SERVER_ADDRESS]: target.hostname, [ATTR_URL_SCHEME]: target.protocol.replace(/:$/, '') }
            : {}),
          [TRIBUTARY.webhookAttempt]: attempt,
        },
      },
      async (span) => {
        const traced = traceHeaders(trace.setSpan(context.active(), span));
        const outcome = await this.transport.send({ ...request, headers: { ...request.headers, ...traced } });
        span.setAttribute(TRIBUTARY.webhookOutcome, outcome.kind);
        if (outcome.kind !== 'refused' && outcome.status !== null)
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
        if (outcome.kind !== 'delivered') failSpan(span, new Error(outcome.error));
        return outcome;
      },
    );
  }

  /**
   * The task once the projection shows it ended; a RetriableError if it does not within a few
   * seconds (at once if the read model has no such task: the projection is far behind, or the task
   * is not in this store), so a later attempt looks again. Null when there is nothing to send: the
   * task has no callback URL and its tenant no endpoint (known from the first read, without waiting),
   * or `maxAgeMs` has passed since the event without the read model ever showing the task ended.
   */
  private async endedTask(
    event: TerminalEvent,
    tenantUrl: string | null,
    signal?: AbortSignal,
  ): Promise<TaskState | null> {
    const deadline = Date.now() + PROJECTION_WAIT_MS;
    for (;;) {
      // Listening before the read: a terminal event applied between the read and the wait still wakes it.
      const applied = this.terminalApplied(event.taskId, Math.min(PROJECTION_POLL_MS, deadline - Date.now()));
      const task = await this.reader.current(event.tenant, event.taskId).catch((error: unknown) => {
        applied.cancel();
        throw error;
      });
      if (task?.terminal) {
        applied.cancel();
        return task;
      }
      if (task !== null && task.callbackUrl === null && tenantUrl === null) {
        // Nowhere to send it: no need to wait for the read model to catch up.
        applied.cancel();
        return null;
      }
      if (task === null || Date.now() >= deadline || signal?.aborted) {
        applied.cancel();
        const { maxAgeMs } = this.config.gateway.webhooks;
        if (Date.now() - event.occurredAt.getTime() >= maxAgeMs) {
          this.logger.warn({
            msg: 'webhook dropped: the read model never showed the task ended',
            taskId: event.taskId,
            eventId: event.eventId,
            occurredAt: event.occurredAt.toISOString(),
          });
          return null;
        }
        throw new RetriableError(
          task === null
            ? `task ${event.taskId} is not in the read model`
            : `task ${event.taskId} has not ended in the read model yet`,
        );
      }
      await applied.settled;
    }
  }

  /** Settles when this process's projection applies a terminal event of the task, or after `ms`. */
  private terminalApplied(taskId: string, ms: number): { settled: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const unsubscribe = this.notifier.subscribe(taskId, (rows) => {
        if (rows.length === 0 || rows.some((row) => isTerminal(row.status))) done();
      });
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
      cancel = done;
    });
    return { settled, cancel };
  }
}

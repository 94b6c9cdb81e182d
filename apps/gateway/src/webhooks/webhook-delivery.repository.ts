import { Inject, Injectable } from '@nestjs/common';
import { type Collection } from 'mongoose';
import { isDuplicateKey } from '@tributary/platform';
import { type TerminalStatus } from '../task/status';
import { type TenantId } from '../task/tenant';
import { WEBHOOK_DELIVERY_COLLECTION } from './collections';

/** A task webhook's `type`: how the task ended. */
export type WebhookEventType = `task.${TerminalStatus}`;

export interface DeliveryAttempt {
  attempt: number;
  at: Date;
  url: string;
  /** The receiver's HTTP status, or null when there was no answer. */
  status: number | null;
  outcome: 'delivered' | 'failed' | 'refused';
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryDocument {
  /** The task id: a task ends once, so it has one webhook. */
  _id: string;
  tenantId: string;
  /** `webhook-id`: the same on every attempt, so receivers can drop duplicates. */
  webhookId: string;
  type: WebhookEventType;
  /** The event whose handling owns this delivery (another terminal event of the task does not send). */
  eventId: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  createdAt: Date;
  updatedAt: Date;
  /** Why delivery stopped without success. */
  gaveUp: string | null;
}

/**
 * The `webhook_deliveries` collection: one document per task webhook with every attempt in it,
 * read and written by `_id` only. The first terminal event to get there claims the delivery by
 * inserting it; attempts are appended by the one handler that owns it (one at a time: a message
 * and its retries run one after another).
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(
    @Inject(WEBHOOK_DELIVERY_COLLECTION) private readonly deliveries: Collection<WebhookDeliveryDocument>,
  ) {}

  /** Inserts the delivery, or returns the one already there (whoever claimed it). */
  async claim(
    document: Omit<WebhookDeliveryDocument, 'attempts' | 'state' | 'createdAt' | 'updatedAt' | 'gaveUp'>,
  ): Promise<WebhookDeliveryDocument> {
    const now = new Date();
    const fresh: WebhookDeliveryDocument = {
      ...document,
      state: 'pending',
      attempts: [],
      createdAt: now,
      updatedAt: now,
      gaveUp: null,
    };
    try {
      await this.deliveries.insertOne(fresh);
      return fresh;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const existing = await this.deliveries.findOne({ _id: document._id });
    if (!existing) throw new Error(`webhook delivery ${document._id} vanished after a duplicate key`);
    return existing;
  }

  async recordAttempt(
    taskId: string,
    attempt: DeliveryAttempt,
    state: WebhookDeliveryDocument['state'],
    gaveUp: string | null = null,
  ): Promise<void> {
    await this.deliveries.updateOne(
      { _id: taskId },
      { $push: { attempts: attempt }, $set: { state, updatedAt: attempt.at, gaveUp } },
    );
  }

  async markFailed(taskId: string, reason: string): Promise<void> {
    await this.deliveries.updateOne(
      { _id: taskId },
      { $set: { state: 'failed', gaveUp: reason, updatedAt: new Date() } },
    );
  }

  async find(tenant: TenantId, taskId: string): Promise<WebhookDeliveryDocument | null> {
    const document = await this.deliveries.findOne({ _id: taskId });
    return document?.tenantId === tenant ? document : null;
  }
}

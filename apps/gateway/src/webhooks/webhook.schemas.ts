import { z } from 'zod';
import { webhookUrlSchema } from '../http/params';

const isoDate = z.string().describe('ISO-8601 instant');

export const deliveryAttemptSchema = z
  .object({
    attempt: z.number().int().describe('1 for the first attempt.'),
    at: isoDate,
    url: z.string(),
    status: z.number().int().nullable().describe("The receiver's HTTP status; null when it did not answer."),
    outcome: z
      .enum(['delivered', 'failed', 'refused'])
      .describe('`refused`: the target is not allowed (loopback, private, link-local); not retried.'),
    error: z.string().nullable(),
    durationMs: z.number(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const taskDeliveriesSchema = z
  .object({
    taskId: z.string(),
    webhookId: z.string().nullable().describe('`webhook-id` of the task webhook; the same on every attempt.'),
    type: z.enum(['task.completed', 'task.failed', 'task.cancelled']).nullable(),
    state: z
      .enum(['none', 'pending', 'delivered', 'failed'])
      .describe('`none`: no webhook (the task has not ended, or there is no target).'),
    gaveUp: z.string().nullable().describe('Why attempts stopped without success.'),
    attempts: z.array(deliveryAttemptSchema),
  })
  .meta({ id: 'TaskDeliveries' });

export type TaskDeliveries = z.infer<typeof taskDeliveriesSchema>;

export const webhookEndpointSchema = z
  .object({
    url: z.string().nullable().describe('Called for tasks submitted without a `callbackUrl`.'),
    secret: z.string().describe('`whsec_…`: verify `webhook-signature` with it (Standard Webhooks).'),
  })
  .meta({ id: 'WebhookEndpoint' });

export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const putWebhookEndpointBodySchema = z
  .strictObject({
    url: webhookUrlSchema.nullable().describe('The endpoint; null removes it.'),
    rotateSecret: z.boolean({ error: 'must be true or false' }).optional().describe('Mint a new secret.'),
  })
  .meta({ id: 'PutWebhookEndpoint' });

export type PutWebhookEndpointBody = z.infer<typeof putWebhookEndpointBodySchema>;

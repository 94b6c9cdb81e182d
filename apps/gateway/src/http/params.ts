import { z } from 'zod';
import { TASK_ID_PATTERN } from '../task/ids';
import { ZodPipe } from './zod-validation.pipe';

/** A user id as the API takes it: in a submission, a list filter or a path. */
export const userIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

/**
 * A webhook URL (a task's `callbackUrl`, a tenant's endpoint): http or https, at most 2048
 * characters, and without user info. Credentials in a URL end up in logs, in Kafka (the URL travels
 * on task.requested) and in the read model, so they are refused rather than stripped: an endpoint
 * authenticates the gateway by the webhook signature instead.
 */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048, 'must be at most 2048 characters')
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  }, 'must not contain a user name or password (webhooks are authenticated by their signature)');

const taskIdSchema = z
  .string()
  .regex(TASK_ID_PATTERN, 'must be a task id such as tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW');

export const taskIdParamsSchema = z.object({ id: taskIdSchema });

/** Validates a `:id` path parameter (400 with the field at fault). */
export const taskIdParam = new ZodPipe(taskIdParamsSchema, 'params');

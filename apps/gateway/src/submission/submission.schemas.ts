import { z } from 'zod';
import { PRIORITIES } from '@tributary/contracts';
import { taskLinksSchema } from '../http/links';
import { userIdSchema, webhookUrlSchema } from '../http/params';
import { TASK_STATUSES } from '../task/status';

/**
 * The submission API's contract (submit, cancel, `Idempotency-Key`): requests are validated with
 * these schemas and the OpenAPI document is generated from them, so the docs cannot drift from the checks.
 */

/** The widest deadline any configuration allows (a week); the configured bounds are checked on submission. */
const MAX_DEADLINE_SECONDS = 7 * 24 * 3600;

const itemList = (max: number, what: string) =>
  z
    .array(z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters'), {
      error: `must be an array of ${what}`,
    })
    .max(max, `must list at most ${max} ${what}`);

const price = z
  .number({ error: 'must be a number' })
  .finite()
  .min(0, 'must not be negative')
  .max(1_000_000, 'must be at most 1000000');

export const constraintsSchema = z
  .strictObject({
    categories: itemList(20, 'categories')
      .optional()
      .describe('Allowed catalogue categories; empty or absent means any.'),
    minPrice: price.optional(),
    maxPrice: price.optional(),
    excludeItemIds: itemList(200, 'item ids').optional(),
    excludeTags: itemList(50, 'tags').optional(),
  })
  .refine((c) => c.minPrice === undefined || c.maxPrice === undefined || c.minPrice <= c.maxPrice, {
    message: 'must not be greater than maxPrice',
    path: ['minPrice'],
  })
  .meta({ id: 'Constraints', description: 'Hard limits every recommendation must honour.' });

export const submitTaskBodySchema = z
  .strictObject({
    userId: userIdSchema.describe('A user whose profile is loaded (see data/profiles.jsonl).'),
    request: z
      .string({ error: 'must be a string' })
      .trim()
      .min(3, 'must be at least 3 characters')
      .max(2000, 'must be at most 2000 characters')
      .describe('What the user wants, in words.'),
    constraints: constraintsSchema.optional(),
    maxResults: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(20, 'must be at most 20')
      .default(5),
    priority: z.enum(PRIORITIES, { error: 'must be one of high, normal, low' }).default('normal'),
    deadline: z
      .number({ error: 'must be a number' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1 second')
      .max(MAX_DEADLINE_SECONDS, `must be at most ${MAX_DEADLINE_SECONDS} seconds`)
      .optional()
      .describe(
        'Seconds from submission by which the task must have ended, else it fails with `deadline-exceeded`. ' +
          'Default and bounds are configured (TRIBUTARY_TASK_DEADLINE_MS, 600 s; _MIN_MS and _MAX_MS, 1 s to 3600 s); ' +
          'a value outside the bounds is a 400.',
      ),
    callbackUrl: webhookUrlSchema
      .optional()
      .describe(
        'Called when the task ends (webhooks are delivered by a Kafka consumer, never on this request).',
      ),
  })
  .meta({ id: 'SubmitTask' });

export type SubmitTaskBody = z.output<typeof submitTaskBodySchema>;

/** Printable ASCII without spaces, 1-255 characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

/** The `Idempotency-Key` header: absent, or a key; the path in problems is `header.idempotency-key`. */
export const idempotencyKeyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-255 printable ASCII characters without spaces')
    .optional(),
});

export const cancelTaskBodySchema = z
  .strictObject({ reason: z.string().trim().max(500, 'must be at most 500 characters').optional() })
  .optional()
  .meta({ id: 'CancelTask' });

export type CancelTaskBody = z.output<typeof cancelTaskBodySchema>;

export const taskAcceptedSchema = z
  .object({ taskId: z.string(), status: z.literal('accepted'), links: taskLinksSchema })
  .meta({ id: 'TaskAccepted' });

export const cancelAcceptedSchema = z
  .object({
    taskId: z.string(),
    status: z.enum(TASK_STATUSES),
    cancelRequested: z.literal(true),
    links: taskLinksSchema,
  })
  .meta({ id: 'CancelAccepted' });

export type TaskAccepted = z.infer<typeof taskAcceptedSchema>;
export type CancelAccepted = z.infer<typeof cancelAcceptedSchema>;

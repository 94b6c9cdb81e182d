import { z } from 'zod';
import { CURSOR_PATTERN } from '../common/cursor';
import { TASK_ID_PATTERN } from '../task/ids';
import { TASK_STATUSES } from '../task/status';
import { ALL_EVENT_TYPES } from '../task/task-state';

/**
 * The HTTP contract in one place: requests are validated with these schemas and the OpenAPI
 * document is generated from them (z.toJSONSchema), so the docs cannot drift from the checks.
 */

const userId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may contain only letters, digits and . _ : @ -');

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

export const PRIORITIES = ['high', 'normal', 'low'] as const;

export const submitTaskBodySchema = z
  .strictObject({
    userId: userId.describe('A user whose profile is loaded (see data/profiles.jsonl).'),
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
    callbackUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .max(2048, 'must be at most 2048 characters')
      .optional()
      .describe(
        'Called when the task ends (webhooks are delivered by a Kafka consumer, never on this request).',
      ),
  })
  .meta({ id: 'SubmitTask' });

export type SubmitTaskBody = z.output<typeof submitTaskBodySchema>;

export const taskIdSchema = z
  .string()
  .regex(TASK_ID_PATTERN, 'must be a task id such as tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW');

export const taskIdParamsSchema = z.object({ id: taskIdSchema });

/** Printable ASCII without spaces, 1-255 characters (a UUID is typical). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

/** The `Idempotency-Key` header: absent, or a key; the path in problems is `header.idempotency-key`. */
export const idempotencyKeyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-255 printable ASCII characters without spaces')
    .optional(),
});

export const userIdParamsSchema = z.object({ userId });

export const listTasksQuerySchema = z.strictObject({
  userId: userId.optional(),
  status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, 'is not a cursor this API returned')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;

export const recommendationsQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(50, 'must be at most 50')
    .default(10),
});

export const cancelTaskBodySchema = z
  .strictObject({ reason: z.string().trim().max(500, 'must be at most 500 characters').optional() })
  .optional()
  .meta({ id: 'CancelTask' });

export type CancelTaskBody = z.output<typeof cancelTaskBodySchema>;

/** `?lastEventId=`: for clients that cannot send the `Last-Event-ID` header (checked with it, see resumePoint). */
export const taskEventsQuerySchema = z.strictObject({
  lastEventId: z
    .string()
    .regex(/^(\d{1,15})?$/, 'must be the id of an event this stream sent (a non-negative integer)')
    .optional()
    .describe('Resume point for clients that cannot send Last-Event-ID.'),
});

export type TaskEventsQuery = z.output<typeof taskEventsQuerySchema>;

// --- responses (documentation and tests; the views are typed from them) -----------------------

const isoDate = z.string().describe('ISO-8601 instant');

const linksSchema = z
  .object({ self: z.string(), events: z.string(), cancel: z.string() })
  .meta({ id: 'TaskLinks' });

export const taskAcceptedSchema = z
  .object({ taskId: z.string(), status: z.literal('accepted'), links: linksSchema })
  .meta({ id: 'TaskAccepted' });

const recommendationSchema = z
  .object({
    itemId: z.string(),
    title: z.string(),
    category: z.string(),
    price: z.number(),
    currency: z.string(),
    reason: z.string(),
    score: z.number(),
    evidence: z.array(z.string()),
  })
  .meta({ id: 'Recommendation' });

const planSchema = z
  .object({
    summary: z.string(),
    steps: z.array(
      z.object({ id: z.string(), query: z.string(), categories: z.array(z.string()), rationale: z.string() }),
    ),
    provider: z.string(),
  })
  .meta({ id: 'Plan' });

const roundSchema = z
  .object({
    round: z.number().int(),
    draft: z
      .object({ summary: z.string(), recommendations: z.array(recommendationSchema), provider: z.string() })
      .nullable(),
    draftedAt: isoDate.nullable(),
    verdict: z.enum(['approved', 'revise']).nullable(),
    critique: z.string().nullable(),
    issues: z.array(z.string()),
    score: z.number().nullable(),
    reviewedAt: isoDate.nullable(),
  })
  .meta({ id: 'ReviewRound' });

const resultSchema = z
  .object({
    summary: z.string(),
    recommendations: z.array(recommendationSchema),
    rounds: z.number().int(),
    bestEffort: z.boolean(),
    provider: z.string(),
    completedAt: isoDate,
  })
  .meta({ id: 'TaskResult' });

const timelineEntrySchema = z
  .object({
    seq: z.number().int(),
    type: z.enum(ALL_EVENT_TYPES as [string, ...string[]]),
    at: isoDate,
    status: z.enum(TASK_STATUSES),
    advanced: z
      .boolean()
      .describe('False when the event changed no status (it arrived late or after the end).'),
    sinceStartMs: z.number().describe('Milliseconds since the task was requested.'),
    sincePreviousMs: z.number().describe('Milliseconds since the previous entry.'),
  })
  .meta({ id: 'TimelineEntry' });

const requestViewSchema = z
  .object({
    userId: z.string(),
    request: z.string(),
    constraints: z.object({
      categories: z.array(z.string()),
      minPrice: z.number().nullable(),
      maxPrice: z.number().nullable(),
      excludeItemIds: z.array(z.string()),
      excludeTags: z.array(z.string()),
    }),
    maxResults: z.number().int(),
    priority: z.enum(PRIORITIES),
    callbackUrl: z.string().nullable(),
  })
  .meta({ id: 'TaskRequestView' });

export const taskViewSchema = z
  .object({
    taskId: z.string(),
    status: z.enum(TASK_STATUSES),
    terminal: z.boolean(),
    userId: z.string().nullable(),
    request: requestViewSchema.nullable(),
    plan: planSchema.nullable(),
    rounds: z.array(roundSchema),
    result: resultSchema.nullable(),
    provider: z.string().nullable().describe('The LLM provider ("offline" when none is configured).'),
    bestEffort: z
      .boolean()
      .nullable()
      .describe('True when the reviewer approved the best draft after its round limit.'),
    failure: z.object({ stage: z.string(), reason: z.string(), at: isoDate }).nullable(),
    cancellation: z.object({ reason: z.string().nullable(), requestedAt: isoDate }).nullable(),
    progress: z.object({ stage: z.string(), message: z.string(), at: isoDate }).nullable(),
    timeline: z.array(timelineEntrySchema).describe('Applied events except token-level progress.'),
    durations: z
      .object({
        planningMs: z.number().nullable(),
        researchingMs: z.number().nullable(),
        reviewingMs: z.number().nullable(),
        totalMs: z.number().nullable(),
      })
      .describe('Time spent per stage, summed over review rounds; null until the stage has happened.'),
    version: z.number().int().describe('Events applied so far; the seq of the latest event.'),
    createdAt: isoDate,
    updatedAt: isoDate,
    endedAt: isoDate.nullable(),
    links: linksSchema,
  })
  .meta({ id: 'Task' });

export const taskSummarySchema = z
  .object({
    taskId: z.string(),
    status: z.enum(TASK_STATUSES),
    terminal: z.boolean(),
    userId: z.string().nullable(),
    request: z.string().nullable(),
    provider: z.string().nullable(),
    recommendations: z
      .number()
      .int()
      .nullable()
      .describe('How many recommendations the result holds, once completed.'),
    createdAt: isoDate,
    updatedAt: isoDate,
    endedAt: isoDate.nullable(),
    links: linksSchema,
  })
  .meta({ id: 'TaskSummary' });

export const taskPageSchema = z
  .object({
    items: z.array(taskSummarySchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
  })
  .meta({ id: 'TaskPage' });

export const userRecommendationsSchema = z
  .object({
    userId: z.string(),
    items: z.array(
      z.object({
        taskId: z.string(),
        request: z.string().nullable(),
        completedAt: isoDate,
        summary: z.string(),
        recommendations: z.array(recommendationSchema),
        bestEffort: z.boolean(),
        provider: z.string(),
        links: linksSchema,
      }),
    ),
  })
  .meta({ id: 'UserRecommendations' });

export const cancelAcceptedSchema = z
  .object({
    taskId: z.string(),
    status: z.enum(TASK_STATUSES),
    cancelRequested: z.literal(true),
    links: linksSchema,
  })
  .meta({ id: 'CancelAccepted' });

export type TaskAccepted = z.infer<typeof taskAcceptedSchema>;
export type TaskView = z.infer<typeof taskViewSchema>;
export type TaskSummaryView = z.infer<typeof taskSummarySchema>;
export type TaskPage = z.infer<typeof taskPageSchema>;
export type UserRecommendations = z.infer<typeof userRecommendationsSchema>;
export type CancelAccepted = z.infer<typeof cancelAcceptedSchema>;
export type TaskLinks = z.infer<typeof linksSchema>;

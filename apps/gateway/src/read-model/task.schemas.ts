import { z } from 'zod';
import { PRIORITIES, TASK_FAILURE_CODES } from '@tributary/contracts';
import { taskLinksSchema } from '../http/links';
import { userIdSchema } from '../http/params';
import { TASK_STATUSES } from '../task/status';
import { ALL_EVENT_TYPES } from '../task/task-state';
import { CURSOR_PATTERN } from './cursor';

/**
 * The read API's contract (task lists, tasks, a user's results): queries are validated with these
 * schemas and the OpenAPI document is generated from them (z.toJSONSchema), so the docs cannot
 * drift from the checks. Each feature keeps its own: submission/, streams/, webhooks/.
 */

export const userIdParamsSchema = z.object({ userId: userIdSchema });

export const listTasksQuerySchema = z.strictObject({
  userId: userIdSchema.optional(),
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
    .describe('The `nextCursor` of the previous page of the same query (the same filters).'),
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

// --- responses (documentation and tests; the views are typed from them) -----------------------

const isoDate = z.string().describe('ISO-8601 instant');

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
    deadlineAt: isoDate
      .nullable()
      .describe(
        'When the task must have ended, else it fails with `deadline-exceeded` (null for tasks from before deadlines).',
      ),
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
    failure: z
      .object({
        stage: z.string(),
        code: z
          .enum(TASK_FAILURE_CODES)
          .nullable()
          .describe('Why, as a stable code (null for tasks that failed before codes existed).'),
        reason: z.string().describe('One sentence for people; never an internal error text.'),
        at: isoDate,
      })
      .nullable(),
    cancellation: z.object({ reason: z.string().nullable(), requestedAt: isoDate }).nullable(),
    progress: z
      .object({ stage: z.string(), message: z.string(), at: isoDate })
      .nullable()
      .describe('The last progress that moved the task to a new status; the live stream has every one.'),
    timeline: z
      .array(timelineEntrySchema)
      .describe(
        'The events that moved the task: milestones, and progress that changed its status. Every event, progress and token deltas included, is on the live stream (`/events`).',
      ),
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
    links: taskLinksSchema,
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
    links: taskLinksSchema,
  })
  .meta({ id: 'TaskSummary' });

export const taskPageSchema = z
  .object({
    items: z.array(taskSummarySchema),
    nextCursor: z
      .string()
      .nullable()
      .describe(
        'Pass as `cursor` for the next page; null on the last page. A page may hold fewer items than asked for (even none) and still have a next page: each page examines a bounded number of entries.',
      ),
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
        links: taskLinksSchema,
      }),
    ),
  })
  .meta({ id: 'UserRecommendations' });

export type TaskView = z.infer<typeof taskViewSchema>;
export type TaskSummaryView = z.infer<typeof taskSummarySchema>;
export type TaskPage = z.infer<typeof taskPageSchema>;
export type UserRecommendations = z.infer<typeof userRecommendationsSchema>;

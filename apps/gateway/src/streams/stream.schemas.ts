import { z } from 'zod';

/** `?lastEventId=`: for clients that cannot send the `Last-Event-ID` header (checked with it, see resumePoint). */
export const taskEventsQuerySchema = z.strictObject({
  lastEventId: z
    .string()
    .regex(/^(\d{1,15})?$/, 'must be the id of an event this stream sent (a non-negative integer)')
    .optional()
    .describe('Resume point for clients that cannot send Last-Event-ID.'),
});

export type TaskEventsQuery = z.output<typeof taskEventsQuerySchema>;

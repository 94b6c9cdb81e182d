import { z } from 'zod';

/** `?lastEventId=`: for clients that cannot send the `Last-Event-ID` header (checked with it, see resumePoint). */
export const taskEventsQuerySchema = z.strictObject({
  lastEventId: z
    .string()
    .max(64)
    .optional()
    .describe('Resume point for clients that cannot send Last-Event-ID: the id of the last event received.'),
});

export type TaskEventsQuery = z.output<typeof taskEventsQuerySchema>;

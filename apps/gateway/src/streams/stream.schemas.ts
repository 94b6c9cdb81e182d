import { z } from 'zod';
import { FEED_ID_PATTERN, LAST_EVENT_ID_MESSAGE } from './last-event-id';

/** `?lastEventId=`: for clients that cannot send the `Last-Event-ID` header (checked with it, see resumePoint). */
export const taskEventsQuerySchema = z.strictObject({
  lastEventId: z
    .string()
    .regex(new RegExp(`${FEED_ID_PATTERN}|^$`), LAST_EVENT_ID_MESSAGE)
    .optional()
    .describe('Resume point for clients that cannot send Last-Event-ID: the id of the last event received.'),
});

export type TaskEventsQuery = z.output<typeof taskEventsQuerySchema>;

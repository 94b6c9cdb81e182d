import { z } from 'zod';

export const taskLinksSchema = z
  .object({ self: z.string(), events: z.string(), cancel: z.string() })
  .meta({ id: 'TaskLinks' });

export type TaskLinks = z.infer<typeof taskLinksSchema>;

/** Where a task's resources are: the task, its event stream, its cancel command. */
export function taskLinks(taskId: string): TaskLinks {
  const self = `/v1/tasks/${taskId}`;
  return { self, events: `${self}/events`, cancel: `${self}/cancel` };
}

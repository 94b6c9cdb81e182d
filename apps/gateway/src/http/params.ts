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

const taskIdSchema = z
  .string()
  .regex(TASK_ID_PATTERN, 'must be a task id such as tsk_01JD0Q7ZK3M4N5P6Q7R8S9T0VW');

export const taskIdParamsSchema = z.object({ id: taskIdSchema });

/** Validates a `:id` path parameter (400 with the field at fault). */
export const taskIdParam = new ZodPipe(taskIdParamsSchema, 'params');

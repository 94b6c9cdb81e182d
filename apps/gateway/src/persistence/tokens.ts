export const TASK_MODEL = Symbol('TASK_MODEL');
export const TASK_EVENT_MODEL = Symbol('TASK_EVENT_MODEL');
export const USER_PROFILE_COLLECTION = Symbol('USER_PROFILE_COLLECTION');

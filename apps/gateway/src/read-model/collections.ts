/**
 * Read-model collection names. A rebuild writes into suffixed copies (`tasks_<suffix>`) so the live
 * read model keeps serving until an operator switches over.
 */
export interface CollectionNames {
  readonly tasks: string;
  readonly taskEvents: string;
  readonly taskLists: string;
  readonly userProfiles: string;
}

export const COLLECTION_NAMES = Symbol('COLLECTION_NAMES');
export const TASK_MODEL = Symbol('TASK_MODEL');
export const TASK_EVENT_MODEL = Symbol('TASK_EVENT_MODEL');
export const TASK_LIST_COLLECTION = Symbol('TASK_LIST_COLLECTION');
export const USER_PROFILE_COLLECTION = Symbol('USER_PROFILE_COLLECTION');

export function collectionNames(suffix?: string): CollectionNames {
  if (suffix !== undefined && !/^[A-Za-z0-9_]{1,48}$/.test(suffix)) {
    throw new Error(`collection suffix must be 1-48 letters, digits or underscores, got "${suffix}"`);
  }
  const tail = suffix === undefined ? '' : `_${suffix}`;
  return {
    tasks: `tasks${tail}`,
    taskEvents: `task_events${tail}`,
    taskLists: `task_lists${tail}`,
    userProfiles: 'user_profiles',
  };
}

import { type TaskNotifier } from '../../../apps/gateway/src/read-model/task-notifier';

export type Watched<T extends TaskNotifier> = T & {
  /** How many tasks have listeners now: a stream or a webhook handler that let go leaves none. */
  readonly watchedTasks: number;
};

/** Makes `notifier` count the tasks it has listeners for, by wrapping its `subscribe`. */
export function watchListeners<T extends TaskNotifier>(notifier: T): Watched<T> {
  const listeners = new Map<string, number>();
  const subscribe = notifier.subscribe.bind(notifier);
  notifier.subscribe = (taskId, listener) => {
    const unsubscribe = subscribe(taskId, listener);
    listeners.set(taskId, (listeners.get(taskId) ?? 0) + 1);
    let released = false;
    return () => {
      unsubscribe();
      if (released) return;
      released = true;
      const left = (listeners.get(taskId) ?? 1) - 1;
      if (left === 0) listeners.delete(taskId);
      else listeners.set(taskId, left);
    };
  };
  return Object.defineProperty(notifier, 'watchedTasks', { get: () => listeners.size }) as Watched<T>;
}

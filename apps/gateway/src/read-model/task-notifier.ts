import { Injectable } from '@nestjs/common';
import { type TaskEventRow } from '../task/log';

/** Called with the log rows this process just applied for the task, in seq order (maybe none). */
export type TaskListener = (rows: readonly TaskEventRow[]) => void;

/**
 * In-process signal "task X has new events", raised by the projection after its writes, with the
 * rows it claimed in the log, so what waits on a task (a webhook delivery) need not poll for it.
 */
@Injectable()
export class TaskNotifier {
  private readonly listeners = new Map<string, Set<TaskListener>>();

  subscribe(taskId: string, listener: TaskListener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) {
      set = new Set();
      this.listeners.set(taskId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(taskId);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(taskId);
    };
  }

  notify(taskId: string, rows: readonly TaskEventRow[] = []): void {
    for (const listener of this.listeners.get(taskId) ?? []) listener(rows);
  }
}

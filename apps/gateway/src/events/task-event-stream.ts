import { type TenantId } from '../common/tenant';
import { type TaskEventRepository } from '../persistence/task-event.repository';
import { type TaskEventDocument } from '../persistence/task-event.entity';
import { type TaskRepository } from '../persistence/task.repository';
import { isTerminal } from '../projection/task-state';
import { type TaskNotifier } from '../projection/task-notifier';
import { SSE_HEARTBEAT, type SseSink, sseMessage } from './sse';

export interface StreamOptions {
  /** How often to look for events applied by another gateway instance. */
  readonly pollIntervalMs: number;
  readonly heartbeatMs: number;
  readonly pageSize: number;
  /** Sent as the SSE `retry:` field: how long a browser waits before reconnecting. */
  readonly retryMs: number;
}

export interface StreamDeps {
  readonly tasks: TaskRepository;
  readonly events: TaskEventRepository;
  readonly notifier: TaskNotifier;
}

/**
 * One client's event stream of one task: the events after `cursor` from MongoDB first, then new
 * ones as they are applied, strictly in seq order with no gap and no repeat, until an event with a
 * terminal status has been sent.
 *
 * Events are read from `task_events`; only a contiguous run after the cursor is sent. A hole (an
 * event whose row is not written yet, e.g. its applier crashed after writing the task) is filled
 * from the task's own timeline, which holds every seq because it is written in the same atomic
 * update that assigns it. It wakes on the in-process notifier and, for other instances' writes,
 * on a poll timer that first asks only for the task's version.
 */
export class TaskEventStream {
  private cursor: number;
  private pumping = false;
  private again = false;
  private againCheckTask = false;
  private ended = false;
  private terminalSent = false;
  private finish: () => void = () => undefined;
  private sink: SseSink | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly deps: StreamDeps,
    private readonly tenant: TenantId,
    readonly taskId: string,
    after: number,
    private readonly options: StreamOptions,
  ) {
    this.cursor = after;
  }

  /** Streams until the task ends, the client leaves or close() is called; never rejects. */
  async run(sink: SseSink): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    this.sink = sink;
    sink.onClose(() => this.close());
    this.cleanups.push(this.deps.notifier.subscribe(this.taskId, () => this.kick(false)));
    const poll = setInterval(() => this.kick(true), this.options.pollIntervalMs);
    const heartbeat = setInterval(() => {
      if (!sink.closed) void sink.write(SSE_HEARTBEAT).catch(() => this.close());
    }, this.options.heartbeatMs);
    this.cleanups.push(
      () => clearInterval(poll),
      () => clearInterval(heartbeat),
    );
    await sink.write(`retry: ${this.options.retryMs}\n\n`).catch(() => this.close());
    this.kick(true);
    await done;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.sink && !this.sink.closed) this.sink.end();
    this.finish();
  }

  get position(): number {
    return this.cursor;
  }

  private kick(checkTask: boolean): void {
    if (this.ended) return;
    if (this.pumping) {
      this.again = true;
      this.againCheckTask ||= checkTask;
      return;
    }
    this.pumping = true;
    void this.pump(checkTask)
      .catch(() => this.close())
      .finally(() => {
        this.pumping = false;
        if (this.again && !this.ended) {
          const check = this.againCheckTask;
          this.again = false;
          this.againCheckTask = false;
          this.kick(check);
        }
      });
  }

  private async pump(checkTask: boolean): Promise<void> {
    const { tasks, events } = this.deps;
    let check = checkTask;
    while (!this.ended) {
      const rows = await events.after(this.tenant, this.taskId, this.cursor, this.options.pageSize);
      const run = contiguous(rows, this.cursor);
      await this.send(run);
      const hole = run.length < rows.length;
      if (hole || (check && rows.length === 0)) {
        check = false;
        const progress = await tasks.findProgress(this.tenant, this.taskId);
        if (progress === null) return this.close();
        if (progress.version > this.cursor) {
          const timeline = await tasks.findTimeline(this.tenant, this.taskId);
          const filled = contiguous(
            (timeline?.timeline ?? [])
              .filter((e) => e.seq > this.cursor)
              .map((e) => ({ ...e, tenantId: this.tenant, taskId: this.taskId })),
            this.cursor,
          );
          await this.send(filled);
          if (filled.length > 0) continue;
        } else if (progress.terminal) {
          return this.close();
        }
      }
      if (rows.length === this.options.pageSize) continue;
      // Everything up to now is sent; the stream ends once an event with a terminal status went out.
      if (this.terminalSent) this.close();
      return;
    }
  }

  private async send(rows: readonly TaskEventDocument[]): Promise<void> {
    for (const row of rows) {
      if (this.ended || !this.sink) return;
      await this.sink.write(sseMessage(row));
      this.cursor = row.seq;
      if (isTerminal(row.status)) this.terminalSent = true;
    }
  }
}

/** The rows that continue the sequence right after `cursor`, up to the first hole. */
function contiguous<T extends { seq: number }>(rows: readonly T[], cursor: number): T[] {
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  const run: T[] = [];
  let expected = cursor + 1;
  for (const row of sorted) {
    if (row.seq < expected) continue;
    if (row.seq !== expected) break;
    run.push(row);
    expected += 1;
  }
  return run;
}

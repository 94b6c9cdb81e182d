import { type StreamOptions } from '../config/gateway.options';
import { type TaskEventRepository } from '../read-model/task-event.repository';
import { type TaskNotifier } from '../read-model/task-notifier';
import { type TaskRepository } from '../read-model/task.repository';
import { isTerminal } from '../task/status';
import { type TenantId } from '../task/tenant';
import { SSE_HEARTBEAT, type SseSink, sseMessage, type StreamedRow } from './sse';

export interface StreamDeps {
  readonly tasks: TaskRepository;
  readonly events: TaskEventRepository;
  readonly notifier: TaskNotifier;
}

/**
 * One client's event stream of one task: the events after `cursor`, then new ones as they are
 * applied, strictly in seq order with no gap and no repeat, until an event with a terminal status has
 * been sent.
 *
 * Every read is by `_id`. The history comes from the task document's timeline (one read), then the
 * `task_events` rows after the last seq sent are read one by one by `<taskId>#<seq>` until one is not
 * there yet: the rows are the log, claimed before the task document is written, so they can be ahead
 * of the document but never behind it (except rows written before the log was keyed by seq, which the
 * document's timeline covers). Events this process's projection applies are handed over by the
 * in-process notifier with their rows and sent without a read when they continue the stream; a poll
 * timer catches another instance's writes with one `_id` read of the next seq.
 */
export class TaskEventStream {
  private cursor: number;
  private pumping = false;
  private again = false;
  private againCheckTask = false;
  private historySent = false;
  private ended = false;
  private terminalSent = false;
  private finish: () => void = () => undefined;
  private sink: SseSink | undefined;
  private readonly cleanups: (() => void)[] = [];
  /** Rows handed over by the local projection, not sent yet. */
  private offered: StreamedRow[] = [];

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
    this.cleanups.push(this.deps.notifier.subscribe(this.taskId, (rows) => this.offer(rows)));
    const poll = setInterval(() => this.kick(true), this.options.pollIntervalMs);
    const heartbeat = setInterval(() => {
      if (!sink.closed) void sink.write(SSE_HEARTBEAT).catch(() => this.close());
    }, this.options.heartbeatMs);
    this.cleanups.push(
      () => clearInterval(poll),
      () => clearInterval(heartbeat),
    );
    await sink.write(`retry: ${this.options.retryMs}\n\n`).catch(() => this.close());
    this.kick(false);
    await done;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.sink && !this.sink.closed) this.sink.end();
    this.finish();
  }

  /** Rows the local projection just applied: sent without reading them back, if they continue the stream. */
  private offer(rows: readonly (StreamedRow & { readonly tenantId: string })[]): void {
    for (const row of rows) if (row.tenantId === this.tenant) this.offered.push(row);
    this.kick(false);
  }

  private kick(checkTask: boolean): void {
    if (this.ended) return;
    if (this.pumping) {
      this.again = true;
      this.againCheckTask ||= checkTask;
      return;
    }
    this.pumping = true;
    const readTimeline = !this.historySent;
    this.historySent = true;
    void this.pump(readTimeline, checkTask)
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

  private async pump(readTimeline: boolean, checkTask: boolean): Promise<void> {
    const { tasks, events } = this.deps;
    if (readTimeline) {
      // Null: the task document is not written yet (its rows are) or is gone; the rows tell which.
      const task = await tasks.findTimeline(this.tenant, this.taskId);
      if (task !== null)
        await this.send(
          contiguous(
            task.timeline.filter((e) => e.seq > this.cursor).map((e) => ({ ...e, taskId: this.taskId })),
            this.cursor,
          ),
        );
    }
    if (this.offered.length > 0) {
      const pushed = contiguous(this.offered, this.cursor);
      this.offered = [];
      await this.send(pushed);
      if (this.terminalSent) return this.close();
      // The local projection's rows continued the stream: nothing to read back. Rows another
      // instance applied after them arrive with the next poll.
      if (pushed.length > 0 && !checkTask) return;
    }
    while (!this.ended) {
      const rows = await events.after(this.taskId, this.cursor, this.options.pageSize);
      const run = contiguous(
        rows.filter((row) => row.tenantId === this.tenant),
        this.cursor,
      );
      await this.send(run);
      if (run.length === this.options.pageSize) continue;
      // Everything up to now is sent; the stream ends once an event with a terminal status went out.
      if (this.terminalSent) return this.close();
      if (checkTask && run.length === 0 && this.cursor === 0) {
        // Nothing applied yet: the only time a task can go away (a submission withdrawn because
        // Kafka did not take its event).
        const progress = await tasks.findProgress(this.tenant, this.taskId);
        if (progress === null) return this.close();
      }
      return;
    }
  }

  private async send(rows: readonly StreamedRow[]): Promise<void> {
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

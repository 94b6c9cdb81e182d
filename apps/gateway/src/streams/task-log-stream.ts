import {
  CausalReorder,
  type Envelope,
  inCausalOrder,
  type TopicDefinition,
  type TopicKey,
  TOPICS,
} from '@tributary/contracts';
import { type RangeRecord } from '@tributary/kafka';
import { type FeedEntry, type PositionedEvent, TaskFeed } from '../task/task-feed';
import { type TenantId } from '../task/tenant';
import { toProjected } from '../task/to-projected';

/** Where a task's events come from: the log up to now, and the live tail after it. */
export interface TaskEventSource {
  /** Listens to the task's events as they arrive; returns the function that stops listening. */
  listen(taskId: string, listener: (record: RangeRecord<TopicDefinition>) => void): () => void;
  /** The task's events already in the log, from `since` (a little before the task was accepted). */
  history(taskId: string, since: Date): Promise<readonly RangeRecord<TopicDefinition>[]>;
}

/** Where a stream writes: the HTTP layer adapts a response to it. */
export interface StreamSink {
  write(entry: FeedEntry): Promise<void>;
  heartbeat(): Promise<void>;
  end(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

export interface LogStreamOptions {
  /** How long an event waits for the one before it before it is sent anyway. */
  readonly reorderWindowMs: number;
  readonly heartbeatMs: number;
}

type Sortable = PositionedEvent & { readonly causationId: string | null };

const KIND_BY_TOPIC = new Map<string, TopicKey>(
  (Object.keys(TOPICS) as TopicKey[]).map((kind) => [TOPICS[kind].name, kind]),
);

/** A record of the task's topics as the feed needs it, or undefined (another tenant, undecodable, unknown). */
function positioned(record: RangeRecord<TopicDefinition>, tenant: TenantId): Sortable | undefined {
  const kind = KIND_BY_TOPIC.get(record.topic);
  const envelope: Envelope | undefined = record.envelope;
  if (!record.ok || kind === undefined || envelope === undefined || envelope.tenantId !== tenant)
    return undefined;
  return {
    ...toProjected(kind, envelope, record.value as never),
    position: envelope.position,
    causationId: envelope.causationId,
  };
}

/**
 * One client's stream of one task, read from the log rather than the store (ADR 0008): the task's
 * history from its topics, folded in causal order, then its live events through a reorder window,
 * each sent once, named by its causal position, until the terminal event.
 *
 * `prepare()` reads the history and says whether anything is left to send after `after` (the
 * client's `Last-Event-ID`), so a client that has everything of an ended task gets 204 instead of
 * an empty stream it would reconnect to.
 */
export class TaskLogStream {
  private readonly feed = new TaskFeed();
  private readonly reorder: CausalReorder<Sortable>;
  private readonly backlog: FeedEntry[] = [];
  private readonly cleanups: (() => void)[] = [];
  private sending: Promise<void> = Promise.resolve();
  private sink: StreamSink | undefined;
  private live: Sortable[] | undefined = [];
  private ended = false;
  private finish: () => void = () => undefined;

  constructor(
    private readonly source: TaskEventSource,
    private readonly tenant: TenantId,
    readonly taskId: string,
    private readonly after: string | undefined,
    private readonly options: LogStreamOptions,
  ) {
    this.reorder = new CausalReorder(options.reorderWindowMs);
  }

  /** Reads the history; false when the task has ended and the client has its every event. */
  async prepare(since: Date): Promise<boolean> {
    this.cleanups.push(this.source.listen(this.taskId, (record) => this.arrived(record)));
    const history = (await this.source.history(this.taskId, since)).flatMap(
      (record) => positioned(record, this.tenant) ?? [],
    );
    // Events the tail delivered while the history was read are part of it; from now on they queue.
    const ordered = inCausalOrder([...history, ...(this.live ?? [])], (event) => event.occurredAt.getTime());
    this.live = undefined;
    for (const event of ordered) this.reorder.offer(event, 0);
    this.reorder.flush();
    const entries = ordered.flatMap((event) => this.feed.apply(event) ?? []);
    // After the client's last event; from the start when it names none this task has (yet).
    const from = this.after === undefined ? 0 : entries.findIndex((entry) => entry.id === this.after) + 1;
    this.backlog.push(...entries.slice(from));
    return this.backlog.length > 0 || !this.feed.ended;
  }

  /** Streams the backlog, then live events, until the terminal event is sent, the client leaves or close(). */
  async run(sink: StreamSink): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    this.sink = sink;
    sink.onClose(() => this.close());
    const expiry = setInterval(() => this.release(this.reorder.expire()), this.options.reorderWindowMs / 2);
    const heartbeat = setInterval(() => this.enqueue(() => sink.heartbeat()), this.options.heartbeatMs);
    this.cleanups.push(
      () => clearInterval(expiry),
      () => clearInterval(heartbeat),
    );
    this.send(this.backlog.splice(0));
    await done;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.sink && !this.sink.closed) this.sink.end();
    this.finish();
  }

  private arrived(record: RangeRecord<TopicDefinition>): void {
    const event = positioned(record, this.tenant);
    if (!event) return;
    if (this.live) this.live.push(event);
    else this.release(this.reorder.offer(event));
  }

  private release(events: readonly Sortable[]): void {
    const entries = events.flatMap((event) => this.feed.apply(event) ?? []);
    if (this.sink) this.send(entries);
    else this.backlog.push(...entries);
  }

  private send(entries: readonly FeedEntry[]): void {
    const ends = this.feed.ended;
    for (const entry of entries) this.enqueue(() => this.sink!.write(entry));
    if (ends) this.enqueue(() => Promise.resolve(this.close()));
  }

  private enqueue(step: () => Promise<void>): void {
    this.sending = this.sending.then(() => (this.ended ? undefined : step())).catch(() => this.close());
  }
}

import { Logger, type LoggerService } from '@nestjs/common';
import { type RuntimeConfig } from '@tributary/config';
import {
  deadLetterTopic,
  HEADERS,
  inNamespace,
  namespacedName,
  PRIORITIES,
  priorityFromHeaders,
  retryTopic,
  type TopicDefinition,
} from '@tributary/contracts';
import {
  type Consumer,
  type ConsumerCrashEvent,
  type ConsumerGroupJoinEvent,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
} from 'kafkajs';
import { ConsumerInstruments, type MessageOutcome, registerConsumerMetrics } from '@tributary/metrics';
import { withLogContext } from '@tributary/platform';
import { KafkaAdmin, type TopicReplication, type TopicSpec } from '../admin';
import { type DeliveryHandler, type UndeliverableHandler, type UntypedDeliveryHandler } from '../delivery';
import { errorMessage, kafkaConnectionError } from '../errors';
import { KeyScheduler } from '../key-scheduler';
import { type RawProducer } from '../producer';
import { type EventSerializer } from '../serializer';
import { CommitCoalescer, commitFinished, type CommitOutcome } from './commits';
import { Dispatcher } from './dispatch';
import {
  failurePolicy,
  type FailurePolicy,
  type FailurePolicySettings,
  holdDelay,
  holdsInPlace,
  retryPolicy,
} from './failure-policy';
import { FailureRouter } from './failure-routing';
import { fetchMaxBytes, FlowControl, READ_AHEAD_FACTOR } from './flow-control';
import { PartitionHolds } from './holds';
import { LagProbe } from './lag';
import { type ConsumerMetrics, partitionMetrics } from './metrics';
import { Assignment } from './rebalance';
import { DelayedRetries } from './retry-delays';
import { ConsumeTrace } from './tracing';
import { shutDown, type ShutdownSteps } from './shutdown';
import { UndeliverableReporter } from './undeliverable';
import { dueAt, isAbandoned, type PartitionState, type Work, workFor } from './work';

export interface ParallelConsumerOptions {
  readonly kafka: Kafka;
  readonly serializer: EventSerializer;
  /** The consumer group; its retry and dead-letter topics derive from it. */
  readonly group: string;
  /**
   * The namespace the consumer works in ('' or unset: the live topics): it subscribes to
   * `<namespace>.<topic>` for each topic handled, joins the group `<namespace>.<group>`, and its retry
   * and dead-letter topics are `<namespace>.<retry topic>` and `<namespace>.<dead-letter topic>`.
   */
  readonly namespace?: string;
  readonly runtime: RuntimeConfig;
  /**
   * This group's failure policy: its retry budget, and whether a transient failure (a dependency
   * unavailable) is retried through the retry topic or in place with its partition paused. Unset
   * fields come from `runtime`; by default transient failures go through the retry topic.
   */
  readonly failurePolicy?: FailurePolicySettings;
  /** Partitions of the topics this consumer creates when they are missing. */
  readonly partitions: number;
  /** Replication of the topics this consumer creates when they are missing (the configuration's `kafka`). */
  readonly replication: TopicReplication;
  /** Publishes retry and dead-letter copies; must be idempotent (EventProducer is). */
  readonly producer: RawProducer;
  /**
   * In-flight plus queued messages at which fetching pauses; default 16 × concurrency. Reading ahead
   * is what lets a high-priority event overtake a backlog of normal ones (see KeyScheduler).
   */
  readonly maxPending?: number;
  /** Retry messages waiting for their due time at which the retry topic pauses; default 10 000. */
  readonly maxDelayed?: number;
  /**
   * Bytes a fetch waits for, up to the runtime's fetch wait (kafkajs `minBytes`; default 1: a fetch
   * returns as soon as there is a message). A group that need not react within the fetch wait can
   * take a large value: its fetches then come once per wait under a light load instead of once per
   * message.
   */
  readonly fetchMinBytes?: number;
  /**
   * How long after a completion the finished offsets are committed (completions in between share one
   * commit); default 1 s. A commit is a request the broker writes to its offsets log; what finished
   * in the last second before a crash is handled again (handlers are idempotent).
   */
  readonly commitDelayMs?: number;
  /** Commits also run on this period, whatever completes (default 5 s). */
  readonly commitIntervalMs?: number;
  /** How long stop() waits for running handlers. */
  readonly drainTimeoutMs?: number;
  /** Where a group without committed offsets starts; the default (true) reads the topics' whole history. */
  readonly fromBeginning?: boolean;
  /** Uniform in [0, 1]; for the retry and hold jitter. */
  readonly random?: () => number;
  readonly logger?: LoggerService;
  /** Create missing topics at start (default true). */
  readonly createTopics?: boolean;
  /**
   * Called after a message was dead-lettered without any handler having seen it (undecodable,
   * invalid envelope, no handler, registry unreachable to the last attempt), so the owner can end
   * the task it belongs to; the dead letter is written first. See UndeliverableReporter.
   */
  readonly onUndeliverable?: UndeliverableHandler;
}

/**
 * A Kafka consumer that runs slow handlers (seconds to minutes) concurrently by key, after the
 * idea of Confluent's Parallel Consumer:
 *
 * - `eachBatch` only hands messages to a scheduler and returns, so kafkajs keeps fetching and
 *   heartbeating while handlers run; a five-minute handler causes no rebalance.
 * - Different keys run concurrently up to `runtime.concurrency`; one key's messages run one at a
 *   time in offset order (KeyScheduler).
 * - Per partition the committed offset is the lowest unfinished one, so a crash redelivers
 *   (at-least-once) but never skips (OffsetTracker). Commits are coalesced (commits.ts).
 * - When in-flight plus queued messages reach `maxPending`, all topics pause; they resume at half
 *   (flow-control.ts).
 * - A retriable failure republishes the original bytes and headers to the group's retry topic
 *   with a due time (exponential backoff, full jitter); the group consumes that topic too and runs
 *   the message again when due, without holding a slot meanwhile (retry-delays.ts). After
 *   `maxAttempts`, or at once for permanent errors, the message goes to the group's dead-letter
 *   topic (failure-routing.ts). Either way the original offset is then finished, nothing is lost.
 * - Each group has its own failure policy (failure-policy.ts). A group that holds on transient
 *   failures retries a message whose dependency is unavailable in place, its partition paused,
 *   until the dependency answers (holds.ts); only such a failure holds a partition.
 * - A rebalance drops the lost partitions' work for their next owner (rebalance.ts); stop() drains
 *   and commits before leaving the group (shutdown.ts).
 *
 * This class composes those parts: it owns the kafkajs consumer and the consumer's life cycle.
 */
export class ParallelConsumer {
  /** The kafkajs consumer, e.g. to listen to its instrumentation events (GROUP_JOIN, CRASH, …). */
  readonly kafkaConsumer: Consumer;
  readonly retryTopic: string;
  readonly deadLetterTopic: string;

  private readonly logger: LoggerService;
  private readonly dispatcher: Dispatcher;
  private readonly assignment = new Assignment();
  private readonly scheduler: KeyScheduler<Work>;
  private readonly flow: FlowControl;
  private readonly delayed: DelayedRetries;
  private readonly failures: FailureRouter;
  private readonly undeliverable: UndeliverableReporter | undefined;
  private readonly policy: FailurePolicy;
  private readonly holds: PartitionHolds;
  private handled = 0;
  private readonly commits: CommitCoalescer;
  private readonly instruments: ConsumerInstruments;
  private readonly lagProbe: LagProbe;
  private unregisterMetrics: (() => void) | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopped: Promise<void> | undefined;
  private readonly joined: Promise<void>;

  private readonly options: ParallelConsumerOptions;
  private readonly namespace: string;

  constructor(settings: ParallelConsumerOptions) {
    this.namespace = settings.namespace ?? '';
    // From here on the group is the namespaced one: the group id, metrics, lag and logs name it.
    const options = { ...settings, group: namespacedName(settings.group, this.namespace) };
    this.options = options;
    this.logger = options.logger ?? new Logger(`ParallelConsumer(${options.group})`);
    this.retryTopic = namespacedName(retryTopic(settings.group), this.namespace);
    this.deadLetterTopic = namespacedName(deadLetterTopic(settings.group), this.namespace);
    this.dispatcher = new Dispatcher({ serializer: options.serializer, retryTopic: this.retryTopic });
    const maxPending = options.maxPending ?? options.runtime.concurrency * READ_AHEAD_FACTOR;
    this.scheduler = new KeyScheduler<Work>({
      concurrency: options.runtime.concurrency,
      run: (work) => this.process(work),
      onError: (error) => {
        this.logger.error(`unexpected failure in the consumer itself: ${errorMessage(error)}`);
      },
      onSettled: () => this.applyFlowControl(),
    });
    this.delayed = new DelayedRetries({
      live: (state) => !state.revoked && this.state === 'running',
      due: (work) => {
        this.submit(work);
        this.applyFlowControl();
      },
    });
    this.policy = failurePolicy(options.runtime, options.failurePolicy);
    this.failures = new FailureRouter({
      retryTopic: this.retryTopic,
      deadLetterTopic: this.deadLetterTopic,
      producer: options.producer,
      policy: retryPolicy(this.policy, options.random),
      logger: this.logger,
      stopped: () => this.state === 'stopped',
    });
    this.undeliverable = options.onUndeliverable
      ? new UndeliverableReporter({
          handler: options.onUndeliverable,
          logger: this.logger,
          stopped: () => this.state === 'stopped',
        })
      : undefined;
    this.holds = new PartitionHolds({
      pause: (state) => {
        this.flow.hold(state.topic, state.partition);
        this.applyFlowControl();
      },
      resume: (state) => {
        this.flow.release(state.topic, state.partition);
        this.applyFlowControl();
      },
      logger: this.logger,
    });
    this.commits = new CommitCoalescer({
      delayMs: options.commitDelayMs ?? 1_000,
      intervalMs: options.commitIntervalMs ?? 5_000,
      commit: () => this.commitFinished(),
    });
    this.kafkaConsumer = options.kafka.consumer({
      groupId: options.group,
      sessionTimeout: options.runtime.sessionTimeoutMs,
      heartbeatInterval: options.runtime.heartbeatIntervalMs,
      // Heartbeats go out between fetches: an idle fetch returns within the heartbeat interval.
      maxWaitTimeInMs: Math.min(options.runtime.fetchMaxWaitMs, options.runtime.heartbeatIntervalMs),
      allowAutoTopicCreation: false,
      ...fetchMaxBytes(maxPending),
      ...(options.fetchMinBytes === undefined ? {} : { minBytes: options.fetchMinBytes }),
    });
    this.flow = new FlowControl({
      maxPending,
      maxDelayed: options.maxDelayed ?? 10_000,
      retryTopic: this.retryTopic,
      consumer: this.kafkaConsumer,
    });
    this.kafkaConsumer.on(this.kafkaConsumer.events.GROUP_JOIN, (event: ConsumerGroupJoinEvent) =>
      this.onGroupJoin(event.payload.memberAssignment),
    );
    this.instruments = new ConsumerInstruments(options.group);
    this.lagProbe = new LagProbe({
      kafka: options.kafka,
      group: options.group,
      fromBeginning: options.fromBeginning ?? true,
      logger: this.logger,
    });
    this.joined = new Promise<void>((resolve) => {
      this.kafkaConsumer.on(this.kafkaConsumer.events.GROUP_JOIN, () => resolve());
    });
    this.kafkaConsumer.on(this.kafkaConsumer.events.REBALANCING, () => this.assignment.rebalanceStarted());
    this.kafkaConsumer.on(this.kafkaConsumer.events.CRASH, (event: ConsumerCrashEvent) => {
      const { error, restart } = event.payload;
      this.logger.error(
        `kafkajs consumer crashed (${restart ? 'restarting' : 'not restarting'}): ${error.message}`,
      );
    });
  }

  /** Resolves when the consumer has joined its group for the first time (its first assignment). */
  whenJoined(): Promise<void> {
    return this.joined;
  }

  /** Routes a topic's events to a handler; call before start(). */
  handle<T extends TopicDefinition>(topic: T, handler: DeliveryHandler<T>): this {
    // The value is decoded with this topic's schema, so the untyped delivery has the topic's type.
    return this.handleUntyped(topic, handler as unknown as UntypedDeliveryHandler);
  }

  /** `handle` for generic plumbing (the Nest transport) where the topic is only known at run time. */
  handleUntyped(topic: TopicDefinition, handler: UntypedDeliveryHandler): this {
    if (this.state !== 'new') throw new Error('handle() must be called before start()');
    this.dispatcher.register(inNamespace(topic, this.namespace), handler);
    return this;
  }

  /** Creates missing topics, joins the group and starts fetching; resolves once the group is joined. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start a consumer that is ${this.state}`);
    if (this.dispatcher.size === 0)
      throw new Error('no handlers: call handle(topic, handler) before start()');
    this.state = 'starting';
    const topics = [...this.dispatcher.topics(), this.retryTopic];
    this.flow.control(topics);
    if (this.options.createTopics ?? true) {
      const admin = new KafkaAdmin(this.options.kafka, this.options.replication);
      try {
        await admin.ensureTopics(this.topicSpecs());
      } finally {
        await admin.disconnect();
      }
    }
    await this.kafkaConsumer.connect().catch((error: unknown) => {
      throw kafkaConnectionError(error);
    });
    await this.kafkaConsumer.subscribe({
      topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.kafkaConsumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.state = 'running';
    this.commits.start();
    this.unregisterMetrics = registerConsumerMetrics({
      group: this.options.group,
      load: () => {
        const { inFlight, queued, delayed, paused } = this.metrics();
        return { inFlight, queued, delayed, paused };
      },
      lag: () =>
        this.lagProbe.lag({
          assigned: () => this.assignment.assigned(),
          position: (topic, partition) => this.assignment.find(topic, partition)?.tracker.lowestUnfinished(),
        }),
    });
  }

  /**
   * Graceful stop: pause fetching, let running handlers finish (up to drainTimeoutMs, then abort
   * their signals), commit what finished, leave the group. Queued and delayed messages are not
   * started: they are not committed, so the next owner of their partitions handles them.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  metrics(): ConsumerMetrics {
    return {
      inFlight: this.scheduler.running,
      queued: this.scheduler.queued,
      delayed: this.delayed.count,
      held: this.holds.count,
      handled: this.handled,
      retried: this.failures.retried,
      deadLettered: this.failures.deadLettered,
      deferred: this.failures.deferred,
      partitions: partitionMetrics(this.assignment.owned()),
      paused: this.state === 'running' || this.state === 'stopping' ? this.kafkaConsumer.paused() : [],
    };
  }

  private topicSpecs(): TopicSpec[] {
    const { partitions } = this.options;
    return [
      ...this.dispatcher.topics().map((name) => ({ name, partitions })),
      { name: this.retryTopic, partitions },
      { name: this.deadLetterTopic, partitions },
    ];
  }

  // ---------------------------------------------------------------- fetching

  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (
      this.state === 'stopping' ||
      this.state === 'stopped' ||
      this.flow.isPaused(batch.topic, batch.partition)
    ) {
      // Nothing resolved: kafkajs fetches these offsets again after resume (or the next owner does).
      return Promise.resolve();
    }
    const firstOffset = batch.messages[0]?.offset;
    const state = this.assignment.partition(
      batch.topic,
      batch.partition,
      firstOffset === undefined ? 0 : Number(firstOffset),
      Number(batch.highWatermark),
    );
    state.highWatermark = Number(batch.highWatermark);
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      if (!this.flow.hasRoom(this.scheduler.running + this.scheduler.queued)) break;
      const offset = Number(message.offset);
      if (state.tracker.track(offset)) this.accept(state, message, offset);
      payload.resolveOffset(message.offset);
    }
    this.applyFlowControl();
    return Promise.resolve();
  }

  private accept(state: PartitionState, message: KafkaMessage, offset: number): void {
    const work = workFor(state, message, offset, state.topic === this.retryTopic);
    const due = dueAt(work);
    if (!(due > Date.now())) {
      this.submit(work);
      return;
    }
    // Waiting retries hold no concurrency slot and block no key; their offset stays unfinished.
    this.delayed.hold(work, due);
  }

  /**
   * Order is kept per key within a topic (what Kafka promises), not across topics: a task's
   * cancel request must be able to run while that task's slow work on another topic is in flight.
   * A retried message keeps its place in the lane of the topic it came from.
   */
  private submit(work: Work): void {
    const priority = PRIORITIES.indexOf(priorityFromHeaders(work.message.headers));
    this.scheduler.submit(`${work.origin.topic}\u0000${work.key}`, work, priority);
  }

  private applyFlowControl(): void {
    if (this.state !== 'running' && this.state !== 'stopping') return;
    this.flow.apply({
      pending: this.scheduler.running + this.scheduler.queued,
      delayed: this.delayed.count,
      stopping: this.state === 'stopping',
    });
  }

  // ---------------------------------------------------------------- handling

  /** Every log line written while a message is handled names its task (the key) and tenant. */
  private process(work: Work): Promise<void> {
    const tenant = work.message.headers?.[HEADERS.tenantId];
    return withLogContext(
      {
        ...(work.message.key !== null ? { taskId: work.key } : {}),
        ...(tenant !== undefined && !Array.isArray(tenant) ? { tenantId: tenant.toString() } : {}),
      },
      () => this.handleWork(work),
    );
  }

  private async handleWork(work: Work): Promise<void> {
    const { state } = work;
    if (state.revoked) return;
    state.running.add(work);
    try {
      let attempt = work;
      for (let heldFor = 1; ; heldFor += 1) {
        const traced = ConsumeTrace.start(attempt, this.options.group);
        const held = await traced.run(() => this.attempt(work, attempt, traced));
        if (held === undefined) return;
        // Stopping, or the partition lost: the offset stays unfinished for the next owner.
        if (this.stopping()) return;
        await this.holds.wait(work, held.error, holdDelay(heldFor, this.policy, this.options.random));
        if (isAbandoned(work) || this.stopping()) return;
        // Another attempt of the same message: the handler may find what the failed one did.
        attempt = { ...work, attempt: work.attempt + heldFor, firstDelivery: false };
      }
    } finally {
      this.holds.release(work);
      state.running.delete(work);
    }
  }

  /** Counts the attempt under its origin topic when a handler serves that topic, else under the topic it was read from. */
  private record(work: Work, outcome: MessageOutcome, seconds: number | undefined): void {
    const topic = this.dispatcher.handles(work.origin.topic) ? work.origin.topic : work.state.topic;
    this.instruments.ended(topic, outcome, seconds);
  }

  /**
   * One delivery attempt of `work`: the handler, then the offset finished, or the failure routed
   * (retry or dead-letter topic). Resolves with the error when the failure is one this group waits out
   * in place (the partition held), else with nothing: the work is done with, or left for the next owner.
   */
  private async attempt(
    work: Work,
    attempt: Work,
    traced: ConsumeTrace,
  ): Promise<{ error: unknown } | undefined> {
    let started: number | undefined;
    try {
      const { handler, delivery, deferredUntil } = await this.dispatcher.prepare(attempt);
      started = performance.now();
      await handler(delivery);
      const seconds = (performance.now() - started) / 1000;
      this.handled += 1;
      const until = deferredUntil();
      traced.outcome(until === null ? 'handled' : 'deferred');
      // A deferred message is done here once its copy is on the retry topic.
      if (until !== null && !(await this.failures.defer(attempt, until))) return undefined;
      this.record(work, until === null ? 'handled' : 'deferred', seconds);
      this.finish(work);
      return undefined;
    } catch (error) {
      const seconds = started === undefined ? undefined : (performance.now() - started) / 1000;
      if (!holdsInPlace(error, this.policy) || isAbandoned(work)) {
        const routed = await this.failures.route(attempt, error);
        traced.outcome(routed ?? 'abandoned', error);
        // A dead letter no handler saw (it could not be decoded): the hook may end its task.
        if (routed === 'dead-letter' && started === undefined)
          await this.undeliverable?.report(attempt, error);
        if (routed !== null) {
          this.record(work, routed === 'retry' ? 'retried' : 'dead_lettered', seconds);
          this.finish(work);
        }
        return undefined;
      }
      traced.outcome('held', error);
      return { error };
    }
  }

  private stopping(): boolean {
    return this.state === 'stopping' || this.state === 'stopped';
  }

  private finish(work: Work): void {
    if (work.state.revoked) return;
    work.state.tracker.finish(work.offset);
    this.commits.soon();
  }

  // ---------------------------------------------------------------- commits and rebalances

  private commitFinished(): Promise<CommitOutcome> {
    if (this.assignment.rebalancing || this.state === 'stopped' || this.state === 'new')
      return Promise.resolve('done');
    return commitFinished(
      this.assignment.owned(),
      (offsets) => this.kafkaConsumer.commitOffsets(offsets),
      this.logger,
    );
  }

  private onGroupJoin(assignment: Record<string, number[]>): void {
    for (const state of this.assignment.joined(assignment)) this.revoke(state);
    this.flow.reassert();
    this.commits.soon();
  }

  /** Forgets a lost partition: its queued and delayed messages are dropped, its running handlers aborted. */
  private revoke(state: PartitionState): void {
    this.delayed.drop(state);
    this.scheduler.drop((work) => work.state === state);
    for (const work of state.running)
      work.controller.abort(new Error(`partition ${state.topic}/${state.partition} was revoked`));
    this.logger.log(
      `partition ${state.topic}/${state.partition} revoked; its unfinished messages go to the next owner`,
    );
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.unregisterMetrics?.();
    await this.lagProbe.close();
    const steps: ShutdownSteps = {
      stopTaking: () => {
        this.applyFlowControl();
        // A message waiting in place for a dependency stops waiting; its offset stays for the next owner.
        this.holds.abandonAll(new Error('the consumer is stopping'));
        this.delayed.dropAll();
        this.scheduler.drop(() => true);
      },
      whenIdle: () => this.scheduler.whenIdle(),
      running: () => this.scheduler.running,
      abortRunning: (reason) => {
        for (const state of this.assignment.owned()) {
          for (const work of state.running) work.controller.abort(reason);
        }
      },
      commit: () => this.commits.close(),
      leave: () => {
        this.state = 'stopped';
        return this.kafkaConsumer.disconnect();
      },
    };
    await shutDown(steps, this.options.drainTimeoutMs ?? 30_000, this.logger);
  }
}

import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

/**
 * The Kafka consumer runtime's metrics. Counters and the handler histogram are recorded as messages
 * end (a cached child per topic: a map lookup and an addition); gauges (lag, in-flight, paused) are
 * read from the live consumers when `/metrics` is scraped, so they cost nothing between scrapes.
 */

/** What became of one delivery attempt. */
export type MessageOutcome = 'handled' | 'retried' | 'dead_lettered' | 'deferred';

/** Seconds; handlers range from a store write (milliseconds) to an LLM call (minutes). */
const HANDLER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const messages = new Counter({
  name: 'tributary_kafka_consumer_messages_total',
  help: 'Delivery attempts that ended, by consumer group, origin topic and outcome (handled, retried, dead_lettered, deferred).',
  labelNames: ['group', 'topic', 'outcome'] as const,
  registers: [metricsRegistry],
});

const handlerDuration = new Histogram({
  name: 'tributary_kafka_consumer_handler_duration_seconds',
  help: 'Time a handler ran for one delivery attempt, by consumer group, origin topic and result (success, error).',
  labelNames: ['group', 'topic', 'result'] as const,
  buckets: HANDLER_BUCKETS,
  registers: [metricsRegistry],
});

/** One partition's lag as a consumer sees it. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Messages between the partition's end (high watermark) and the lowest one this group has not finished. */
  readonly lag: number;
}

/** What a live consumer reports when metrics are scraped. */
export interface ConsumerMetricsSource {
  readonly group: string;
  /** Handlers running, messages queued and retries waiting, and the partitions paused now. */
  load(): {
    readonly inFlight: number;
    readonly queued: number;
    readonly delayed: number;
    readonly paused: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
  };
  /** Lag per assigned partition; may ask the broker for its high watermarks (bounded in time). */
  lag(): Promise<readonly PartitionLag[]>;
}

const sources = new Set<ConsumerMetricsSource>();

/** Makes a consumer's gauges part of every scrape until the returned function is called. */
export function registerConsumerMetrics(source: ConsumerMetricsSource): () => void {
  sources.add(source);
  return () => {
    sources.delete(source);
  };
}

function loadGauge(
  name: string,
  help: string,
  pick: (load: ReturnType<ConsumerMetricsSource['load']>) => number,
) {
  return new Gauge({
    name,
    help,
    labelNames: ['group'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const source of sources) this.inc({ group: source.group }, pick(source.load()));
    },
  });
}

loadGauge(
  'tributary_kafka_consumer_handlers_in_flight',
  'Handlers running now, by consumer group.',
  (load) => load.inFlight,
);
loadGauge(
  'tributary_kafka_consumer_messages_queued',
  'Fetched messages waiting for a concurrency slot or for their key, by consumer group.',
  (load) => load.queued,
);
loadGauge(
  'tributary_kafka_consumer_retries_waiting',
  'Messages from the retry topic waiting for their due time (they hold no slot), by consumer group.',
  (load) => load.delayed,
);

new Gauge({
  name: 'tributary_kafka_consumer_paused_partitions',
  help: 'Assigned partitions paused now (back-pressure, a partition held after a transient failure, shutdown), by consumer group and topic.',
  labelNames: ['group', 'topic'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const source of sources) {
      for (const { topic, partitions } of source.load().paused) {
        this.inc({ group: source.group, topic }, partitions.length);
      }
    }
  },
});

new Gauge({
  name: 'tributary_kafka_consumer_lag',
  help: 'Messages not finished by the group: the partition high watermark minus the lowest offset not finished, by consumer group, topic and partition.',
  labelNames: ['group', 'topic', 'partition'] as const,
  registers: [metricsRegistry],
  async collect() {
    const reports = await Promise.all(
      [...sources].map(async (source) => ({ group: source.group, lag: await source.lag() })),
    );
    this.reset();
    for (const { group, lag } of reports) {
      for (const p of lag) this.set({ group, topic: p.topic, partition: String(p.partition) }, p.lag);
    }
  },
});

/**
 * One consumer group's recording side, with the label children cached per topic: recording a
 * message costs a map lookup, a counter addition and a histogram observation.
 */
export class ConsumerInstruments {
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly timers = new Map<string, Histogram.Internal<'group' | 'topic' | 'result'>>();

  constructor(readonly group: string) {}

  /** A delivery attempt ended with `outcome`; `seconds` is how long its handler ran (undefined: it never ran). */
  ended(topic: string, outcome: MessageOutcome, seconds: number | undefined): void {
    const key = `${topic}\u0000${outcome}`;
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = messages.labels({ group: this.group, topic, outcome });
      this.counters.set(key, counter);
    }
    counter.inc();
    if (seconds === undefined) return;
    const result = outcome === 'handled' || outcome === 'deferred' ? 'success' : 'error';
    const timerKey = `${topic}\u0000${result}`;
    let timer = this.timers.get(timerKey);
    if (timer === undefined) {
      timer = handlerDuration.labels({ group: this.group, topic, result });
      this.timers.set(timerKey, timer);
    }
    timer.observe(seconds);
  }
}

/**
 * The figures one scenario measures and another one, or a target, compares with: written by the
 * scenario that measures them, read by name. A figure a run did not measure is absent.
 */
import { type ServiceName } from './services';

/** The pages the list scenario reads. */
export const LIST_PAGES = ['tasks', 'completed', 'user', 'recommendations'] as const;
export type ListPage = (typeof LIST_PAGES)[number];

export type FigureName =
  /** Raw kafkajs round trip (produce → consume → produce → consume), p50 ms. */
  | 'floor.p50'
  /** The same hop through the runtime, p50 ms. */
  | 'hop.p50'
  /** BullMQ 3-step chain, open loop, p50 ms. */
  | 'queue.bullmq.p50'
  /** The runtime's 3-step chain, open loop at the same rate, p50 ms. */
  | 'queue.runtime.p50'
  /** HTTP submit → result readable, offline LLM, open loop, p50 ms. */
  | 'e2e.p50'
  /** What the end-to-end p50 would be if each of its 4 transits cost half a floor, plus 10 ms. */
  | 'e2e.transitBound'
  /** Slow-LLM throughput at concurrency C, tasks/s. */
  | 'slow.perSecond'
  /** C ÷ the LLM delay: what C slots per agent can do at most, tasks/s. */
  | 'slow.bound'
  /** Slow-LLM throughput one task at a time per agent, tasks/s. */
  | 'slow.one'
  /** Gateway POST /v1/tasks under autocannon, 2xx/s. */
  | 'accept.gateway'
  /** A bare Node HTTP server doing the same produce, 2xx/s. */
  | 'accept.bare'
  /** The same two, p99 ms. */
  | 'accept.gateway.p99'
  | 'accept.bare.p99'
  /** End-to-end capacity (tasks kept in flight, offline LLM), completed tasks/s: saturation. */
  | 'capacity.perSecond'
  /** CPU milliseconds per completed task over the system (services, Kafka, registry, store), at the fixed rate and at saturation. */
  | 'cost.e2e.system'
  | 'cost.capacity.system'
  /** CPU milliseconds raw kafkajs and Kafka spend moving as many messages as one task makes, at each phase's message rate. */
  | 'cost.e2e.raw'
  | 'cost.capacity.raw'
  /** rebuild-projection, whole, events/s. */
  | 'rebuild.perSecond'
  /** A raw kafkajs consume of the same records, events/s. */
  | 'rebuild.raw'
  /** CPU of each service and of the store with nothing submitted, % of one core. */
  | `idle.cpu.${ServiceName | 'ferretdb'}`
  /** A list page's latency, ms, with 1,000 (small) and N (large) tasks stored. */
  | `lists.${ListPage}.${'small' | 'large'}.${'p50' | 'p99'}`
  /** End-to-end p50 ms with tracing off and with every span exported, same run, same load. */
  | 'tracing.e2e.off.p50'
  | 'tracing.e2e.on.p50'
  /** The runtime hop's p50 ms in the bench process with tracing off and on. */
  | 'tracing.hop.off.p50'
  | 'tracing.hop.on.p50'
  /** Each service's RSS once started and idle, MB. */
  | `rss.idle.${ServiceName}`;

export type Figures = Partial<Record<FigureName, number>>;

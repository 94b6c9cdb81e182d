import { CONSUMER_GROUPS } from '@tributary/contracts';

/**
 * Gateway settings that are not deployment configuration (that is TributaryConfig, from the
 * environment): limits and timings with sensible defaults, overridable by tests.
 */
export interface GatewayOptions {
  /** Larger bodies are refused with 413 while being read. */
  readonly bodyLimitBytes: number;
  /** How long a request waits for Kafka to acknowledge an event before answering 503. */
  readonly publishTimeoutMs: number;
  /**
   * How long a request waits for each store operation before answering 503 (the driver itself
   * would wait for a server for 10 s, and for a socket that stopped answering forever).
   */
  readonly storeTimeoutMs: number;
  /**
   * At most this many store operations of requests outstanding at once (including those whose
   * request stopped waiting); more are answered 503 at once without reaching the store.
   */
  readonly storeMaxOutstanding: number;
  /** On shutdown, how long requests in flight may take before their connections are closed anyway. */
  readonly shutdownGraceMs: number;
  readonly sse: StreamOptions;
  readonly projection: {
    readonly enabled: boolean;
    readonly group: string;
    /** Where a group without committed offsets starts: true replays the topics' whole history. */
    readonly fromBeginning: boolean;
    /** Most events written in one projection write. */
    readonly maxBatch: number;
    /**
     * How long a projection write that would start from idle waits for more events (GroupCommitter):
     * the store's copy of a task lags the log by up to this much more, and under a light load a task's
     * milestones, milliseconds apart, share writes (fewer snapshot and list writes per task).
     */
    readonly lingerMs: number;
  };
  /** The consumer that sends webhooks when tasks end (group `gateway-webhooks`). */
  readonly webhooks: ConsumerSwitch;
  /** The consumer that frees a tenant's in-flight slot when a task ends. */
  readonly inFlight: ConsumerSwitch;
  /** The consumer that ends tasks past their deadline that no agent ended (group `gateway-deadlines`). */
  readonly deadlines: ConsumerSwitch;
  /** Read-model collections get this suffix (a rebuild target); unset for the live ones. */
  readonly collectionSuffix?: string;
}

/** A task's event stream (SSE). */
export interface StreamOptions {
  readonly heartbeatMs: number;
  /** How long a live event waits for the one before it in causal order before it is sent anyway (ADR 0008). */
  readonly reorderWindowMs: number;
  /** Sent as the SSE `retry:` field: how long a browser waits before reconnecting. */
  readonly retryMs: number;
  /**
   * How long the live tail keeps every task event it reads, so a stream of a recent task reads its
   * history from memory instead of the log (ADR 0008), and how many bytes of events at most.
   */
  readonly recentMs: number;
  readonly recentBytes: number;
  /** How often an open stream asks whether its credential is still valid (revoked key, expired JWT). */
  readonly credentialCheckMs: number;
}

export interface ConsumerSwitch {
  readonly enabled: boolean;
  readonly group: string;
  /**
   * Where a group without committed offsets starts. False for these: a new deployment must not send
   * webhooks for every task that ever ended, count tasks it never admitted, nor fail every task
   * ever requested.
   */
  readonly fromBeginning: boolean;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  bodyLimitBytes: 64 * 1024,
  publishTimeoutMs: 10_000,
  storeTimeoutMs: 1_500,
  storeMaxOutstanding: 64,
  shutdownGraceMs: 10_000,
  sse: {
    heartbeatMs: 15_000,
    reorderWindowMs: 2_000,
    retryMs: 3_000,
    recentMs: 5 * 60_000,
    recentBytes: 64 * 1024 * 1024,
    credentialCheckMs: 5_000,
  },
  projection: {
    enabled: true,
    group: CONSUMER_GROUPS.projection,
    fromBeginning: true,
    maxBatch: 256,
    lingerMs: 50,
  },
  webhooks: { enabled: true, group: CONSUMER_GROUPS.webhooks, fromBeginning: false },
  inFlight: { enabled: true, group: CONSUMER_GROUPS.inFlight, fromBeginning: false },
  deadlines: { enabled: true, group: CONSUMER_GROUPS.deadlines, fromBeginning: false },
};

export type GatewayOptionsOverrides = Partial<
  Omit<GatewayOptions, 'sse' | 'projection' | 'webhooks' | 'inFlight' | 'deadlines'>
> & {
  readonly sse?: Partial<StreamOptions>;
  readonly projection?: Partial<GatewayOptions['projection']>;
  readonly webhooks?: Partial<ConsumerSwitch>;
  readonly inFlight?: Partial<ConsumerSwitch>;
  readonly deadlines?: Partial<ConsumerSwitch>;
};

export function gatewayOptions(overrides: GatewayOptionsOverrides = {}): GatewayOptions {
  return {
    ...DEFAULT_GATEWAY_OPTIONS,
    ...overrides,
    sse: { ...DEFAULT_GATEWAY_OPTIONS.sse, ...overrides.sse },
    projection: { ...DEFAULT_GATEWAY_OPTIONS.projection, ...overrides.projection },
    webhooks: { ...DEFAULT_GATEWAY_OPTIONS.webhooks, ...overrides.webhooks },
    inFlight: { ...DEFAULT_GATEWAY_OPTIONS.inFlight, ...overrides.inFlight },
    deadlines: { ...DEFAULT_GATEWAY_OPTIONS.deadlines, ...overrides.deadlines },
  };
}

import { ConfigError, type EnvReader } from './env';
import { Secret } from './secret';

/** The samplers of the OpenTelemetry specification (`OTEL_TRACES_SAMPLER`). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/**
 * OpenTelemetry tracing, from the standard `OTEL_*` variables. Off unless an OTLP endpoint is set:
 * then no SDK is registered and the OpenTelemetry API the code calls does nothing.
 */
export interface TracingConfig {
  /** True when an endpoint is set and neither `OTEL_SDK_DISABLED` nor `OTEL_TRACES_EXPORTER=none` says otherwise. */
  readonly enabled: boolean;
  /** Where spans are sent: the OTLP/HTTP traces URL (`…/v1/traces`), protobuf encoded. */
  readonly endpoint: string | undefined;
  /** `service.name` of every span: `OTEL_SERVICE_NAME`, else the service (gateway, planner-agent, …). */
  readonly serviceName: string;
  /** Extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=prod,…`). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Headers sent with every export (an API key of a hosted backend): values are secrets, never logged. */
  readonly headers: Readonly<Record<string, Secret>>;
  readonly sampler: TraceSampler;
  /** The ratio of the `*traceidratio` samplers, in [0, 1]. */
  readonly samplerRatio: number;
  /** How long one export may take. */
  readonly exportTimeoutMs: number;
  /** The batch span processor: delay between exports, queue size (spans past it are dropped), batch size. */
  readonly batch: {
    readonly scheduleDelayMs: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
}

/** `k=v,k2=v2` as the OpenTelemetry specification writes lists of pairs (values percent-encoded). */
function readPairs(read: EnvReader, name: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  const raw = read.rawUntrimmed(name);
  if (raw === undefined) return pairs;
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const key = entry.slice(0, at).trim();
    if (at <= 0 || key === '') {
      throw new ConfigError(`${name} must list key=value pairs separated by commas, got "${entry.trim()}"`);
    }
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConfigError(`${name} has a value that is not percent-encoded correctly for "${key}"`);
    }
    pairs[key] = value;
  }
  return pairs;
}

/** The traces URL: the signal-specific variable as it is, or the base endpoint with `/v1/traces` appended. */
function readEndpoint(read: EnvReader): string | undefined {
  const traces = read.optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return traces;
  const base = read.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function readProtocol(read: EnvReader): void {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = read.raw(name);
    if (protocol === undefined) continue;
    if (protocol !== 'http/protobuf') {
      throw new ConfigError(
        `${name} must be http/protobuf (the OTLP exporter Tributary ships), got "${protocol}"`,
      );
    }
    return;
  }
}

export function readTracingConfig(read: EnvReader, service: string): TracingConfig {
  readProtocol(read);
  const endpoint = readEndpoint(read);
  const disabled = read.bool('OTEL_SDK_DISABLED', false);
  const exporter = read.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'], 'otlp');
  const sampler = read.oneOf('OTEL_TRACES_SAMPLER', TRACE_SAMPLERS, 'parentbased_always_on');
  const headers = Object.fromEntries(
    Object.entries({
      ...readPairs(read, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...readPairs(read, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    }).map(([key, value]) => [key, new Secret(value)]),
  );
  const timeoutName =
    read.raw('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
      : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const maxQueueSize = read.int('OTEL_BSP_MAX_QUEUE_SIZE', 2048, { min: 1, max: 1_000_000 });
  const maxExportBatchSize = read.int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, { min: 1, max: 1_000_000 });
  if (maxExportBatchSize > maxQueueSize) {
    throw new ConfigError('OTEL_BSP_MAX_EXPORT_BATCH_SIZE must not be greater than OTEL_BSP_MAX_QUEUE_SIZE');
  }
  return {
    enabled: endpoint !== undefined && !disabled && exporter === 'otlp',
    endpoint,
    serviceName: read.string('OTEL_SERVICE_NAME', service),
    resourceAttributes: readPairs(read, 'OTEL_RESOURCE_ATTRIBUTES'),
    headers,
    sampler,
    samplerRatio: sampler.endsWith('traceidratio')
      ? read.number('OTEL_TRACES_SAMPLER_ARG', 1, { min: 0, max: 1 })
      : 1,
    exportTimeoutMs: read.int(timeoutName, 10_000, { min: 1, max: 600_000 }),
    batch: {
      scheduleDelayMs: read.int('OTEL_BSP_SCHEDULE_DELAY', 5_000, { min: 0, max: 600_000 }),
      maxQueueSize,
      maxExportBatchSize,
    },
  };
}

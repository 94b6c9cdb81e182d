import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { type TracingConfig } from '@tributary/config';

/** The part of the configuration tracing reads. */
export interface TracingSettings {
  readonly service: string;
  readonly tracing: TracingConfig;
}

/** Where the SDK reports its own trouble (an export that failed): the service's logger, at warn. */
export interface TracingLogger {
  warn(message: string): void;
}

let provider: NodeTracerProvider | undefined;

function samplerOf(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

function diagLogger(logger: TracingLogger): DiagLogger {
  const warn = (message: string, ...args: unknown[]) =>
    logger.warn(
      `opentelemetry: ${[message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(' ')}`,
    );
  const quiet = () => undefined;
  return { error: warn, warn, info: quiet, debug: quiet, verbose: quiet };
}

/**
 * Starts tracing for this process, first thing at start-up (before the application is built), when the
 * configuration names an OTLP endpoint: a tracer provider with a batch span processor exporting over
 * OTLP/HTTP (protobuf), the W3C trace-context propagator and the AsyncLocalStorage context manager,
 * all registered globally for the OpenTelemetry API. Without an endpoint nothing is registered: every
 * span the code starts is the API's no-op, and the W3C headers events carry are minted as before.
 * Returns whether tracing is on.
 */
export function startTracing(settings: TracingSettings, logger?: TracingLogger): boolean {
  const { tracing } = settings;
  if (!tracing.enabled || tracing.endpoint === undefined || provider !== undefined)
    return provider !== undefined;
  if (logger) diag.setLogger(diagLogger(logger), DiagLogLevel.WARN);
  const exporter = new OTLPTraceExporter({
    url: tracing.endpoint,
    headers: Object.fromEntries(Object.entries(tracing.headers).map(([key, value]) => [key, value.reveal()])),
    timeoutMillis: tracing.exportTimeoutMs,
  });
  provider = new NodeTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...tracing.resourceAttributes,
        [ATTR_SERVICE_NAME]: tracing.serviceName,
        'service.namespace': tracing.resourceAttributes['service.namespace'] ?? 'tributary',
      }),
    ),
    sampler: samplerOf(tracing),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: tracing.batch.scheduleDelayMs,
        maxQueueSize: tracing.batch.maxQueueSize,
        maxExportBatchSize: tracing.batch.maxExportBatchSize,
        exportTimeoutMillis: tracing.exportTimeoutMs,
      }),
    ],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

/** Whether startTracing() turned tracing on in this process. */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/**
 * Exports the spans still queued and stops the provider: the last step of a service's shutdown, after
 * its consumers drained (their spans ended). A no-op when tracing is off; never throws.
 */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  if (stopping === undefined) return;
  try {
    await stopping.shutdown();
  } catch (error) {
    diag.warn('could not export the last spans', error);
  }
}

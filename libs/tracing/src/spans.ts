import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

/**
 * Tributary's tracer. The API hands out a proxy that follows the provider startTracing() registers,
 * and does nothing (no-op spans) when tracing is off.
 */
export const tracer = trace.getTracer('tributary');

/** Headers as kafkajs and Node's HTTP server give them: a string or bytes, or several of them. */
export type HeaderCarrier = Readonly<
  Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>
>;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const raw = carrier[key];
    const value = Array.isArray(raw)
      ? (raw as readonly (Buffer | string)[]).at(-1)
      : (raw as Buffer | string);
    return value === undefined ? undefined : value.toString();
  },
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * The trace context the W3C propagator reads from message or request headers (`traceparent`,
 * `tracestate`), as the parent of the span that handles them; `base` when there is none (or tracing is off).
 */
export function contextFromHeaders(
  headers: HeaderCarrier | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  return headers === undefined ? base : propagation.extract(base, headers, headerGetter);
}

/** The context of a span `traceparent` names (a cause's envelope), on top of `base`. */
export function contextFromTraceparent(
  traceparent: string | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  return traceparent === undefined ? base : propagation.extract(base, { traceparent }, headerGetter);
}

/** The W3C headers (`traceparent`, and `tracestate` when there is one) for `ctx`; empty when tracing is off. */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, headerSetter);
  return carrier;
}

/** The span of the current context, if any (a no-op one when tracing is off). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** Marks a span failed: the error as an exception event, its class as `error.type`, status ERROR. */
export function failSpan(span: Span, error: unknown, message?: string): void {
  if (!span.isRecording()) return;
  if (error instanceof Error) {
    span.recordException(error);
    span.setAttribute(ATTR_ERROR_TYPE, error.name);
  } else {
    span.setAttribute(ATTR_ERROR_TYPE, '_OTHER');
  }
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: message ?? (error instanceof Error ? error.message : String(error)),
  });
}

/** Sets attributes on a span, leaving out undefined values. */
export function setAttributes(span: Span, attributes: Readonly<Record<string, Attributes[string]>>): void {
  if (!span.isRecording()) return;
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) span.setAttribute(key, value);
  }
}

/**
 * Runs `work` in a new span (a child of `parent`, by default the current context's span), current
 * for everything `work` starts; the span fails if `work` throws, and ends when it settles.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = tracer.startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

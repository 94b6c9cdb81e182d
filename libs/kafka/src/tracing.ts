import { type Envelope } from '@tributary/contracts';
import {
  context,
  contextFromTraceparent,
  failSpan,
  MESSAGING,
  type Span,
  SpanKind,
  trace,
  traceHeaders,
  tracer,
  tracingEnabled,
  TRIBUTARY,
} from '@tributary/tracing';

/** The producer span of one event, and the W3C headers that name it. */
export interface SendSpan {
  readonly span: Span;
  readonly traceparent: string;
  /** `tracestate`, when the parent carried one. */
  readonly extraHeaders: Record<string, string>;
}

/**
 * A `send <topic>` producer span for an event (messaging semantic conventions), a child of the current
 * span, or of the cause's span when nothing is current (a root event without one starts a trace).
 * Undefined when tracing is off or the span is not sampled in: the envelope keeps the traceparent it
 * was minted with (the cause's trace id).
 */
export function sendSpan(
  topic: string,
  key: string,
  envelope: Envelope,
  causeTraceparent: string | undefined,
): SendSpan | undefined {
  if (!tracingEnabled()) return undefined;
  const active = context.active();
  const parent =
    trace.getSpan(active) === undefined ? contextFromTraceparent(causeTraceparent, active) : active;
  const span = tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING.system]: 'kafka',
        [MESSAGING.operationName]: 'send',
        [MESSAGING.operationType]: 'send',
        [MESSAGING.destinationName]: topic,
        [MESSAGING.messageId]: envelope.eventId,
        [MESSAGING.kafkaKey]: key,
        [TRIBUTARY.taskId]: envelope.correlationId,
        [TRIBUTARY.tenantId]: envelope.tenantId,
      },
    },
    parent,
  );
  const { traceparent, ...extraHeaders } = traceHeaders(trace.setSpan(parent, span));
  if (traceparent === undefined) {
    span.end();
    return undefined;
  }
  return { span, traceparent, extraHeaders };
}

/** Ends the send spans of events once the broker acknowledged them (or failed to). */
export function endSendSpans(
  events: readonly { readonly span: SendSpan | undefined }[],
  error: unknown,
): void {
  for (const { span } of events) {
    if (span === undefined) continue;
    if (error !== undefined) failSpan(span.span, error);
    span.span.end();
  }
}

import { FAILURE_HEADERS, HEADERS, headerString } from '@tributary/contracts';
import {
  type Context,
  context,
  contextFromHeaders,
  failSpan,
  MESSAGING,
  type Span,
  SpanKind,
  trace,
  tracer,
  tracingEnabled,
  TRIBUTARY,
} from '@tributary/tracing';
import { type Work } from './work';

/** What became of one delivery attempt, as its span says (`tributary.delivery.outcome`). */
export type DeliveryOutcome = 'handled' | 'deferred' | 'retry' | 'dead-letter' | 'held' | 'abandoned';

/**
 * The `process <topic>` consumer span of one delivery attempt (messaging semantic conventions): a
 * child of the span that sent the event, read from the message's W3C `traceparent` with the
 * propagator, so an event's retries (read back from the retry topic), its redelivery after a crash
 * and a redrive of its dead letter all join the trace of the task, each attempt a span of its own
 * marked with its attempt number. The handler runs with it as the current span.
 */
export class ConsumeTrace {
  private constructor(
    private readonly span: Span | undefined,
    private readonly spanContext: Context | undefined,
  ) {}

  private static readonly OFF = new ConsumeTrace(undefined, undefined);

  /** The trace of `attempt`; does nothing when tracing is off. */
  static start(attempt: Work, group: string): ConsumeTrace {
    if (!tracingEnabled()) return ConsumeTrace.OFF;
    const { message, origin, state } = attempt;
    // A retry copy carries the event's own headers unchanged, beside the failure headers.
    const parent = contextFromHeaders(message.headers);
    const header = (name: string) => headerString(message.headers, name);
    const redrivenFrom = header(FAILURE_HEADERS.redrivenFrom);
    const span = tracer.startSpan(
      `process ${origin.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [MESSAGING.system]: 'kafka',
          [MESSAGING.operationName]: 'process',
          [MESSAGING.operationType]: 'process',
          [MESSAGING.destinationName]: origin.topic,
          [MESSAGING.partitionId]: String(origin.partition),
          [MESSAGING.kafkaOffset]: Number(origin.offset),
          [MESSAGING.consumerGroup]: group,
          [MESSAGING.kafkaKey]: attempt.key,
          ...optional(MESSAGING.messageId, header(HEADERS.eventId)),
          ...optional(TRIBUTARY.taskId, header(HEADERS.correlationId)),
          ...optional(TRIBUTARY.tenantId, header(HEADERS.tenantId)),
          [TRIBUTARY.attempt]: attempt.attempt,
          [TRIBUTARY.firstDelivery]: attempt.firstDelivery,
          ...(attempt.previous
            ? { [TRIBUTARY.via]: `${state.topic}/${state.partition}/${message.offset}` }
            : {}),
          ...optional(TRIBUTARY.redrivenFrom, redrivenFrom),
        },
      },
      parent,
    );
    return new ConsumeTrace(span, trace.setSpan(parent, span));
  }

  /** Runs the attempt with the span current; ends the span when it settles. */
  async run<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.span === undefined || this.spanContext === undefined) return attempt();
    try {
      return await context.with(this.spanContext, attempt);
    } catch (error) {
      failSpan(this.span, error);
      throw error;
    } finally {
      this.span.end();
    }
  }

  outcome(outcome: DeliveryOutcome, error?: unknown): void {
    if (this.span === undefined) return;
    this.span.setAttribute(TRIBUTARY.outcome, outcome);
    if (error !== undefined) failSpan(this.span, error);
  }
}

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}

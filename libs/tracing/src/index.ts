export { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
export * from './http';
export * from './sdk';
export * from './semconv';
export * from './spans';

import { context, type Context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { tracingEnabled } from './sdk';
import { contextFromHeaders, tracer } from './spans';

export interface HttpTracingOptions {
  /** Requests not traced (health checks, docs, metrics scrapes), by path. */
  readonly ignore?: (path: string) => boolean;
}

const NOT_TRACED = /^\/(health|docs|metrics)(\/|$|\?)/;

/**
 * An HTTP server span per request (`POST /v1/tasks`), continuing the caller's W3C `traceparent` when it
 * sends one, current while the request is handled, so whatever the handler publishes is its child.
 * The span is entered when the request arrives and again right before the handler: the body is read
 * in the socket's context, not the request's. It ends when the response closes (an event stream's
 * span lasts as long as the stream). Registers nothing when tracing is off.
 */
export function traceHttpRequests(fastify: FastifyInstance, options: HttpTracingOptions = {}): void {
  if (!tracingEnabled()) return;
  const ignore = options.ignore ?? ((path: string) => NOT_TRACED.test(path));
  const spans = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (ignore(path)) {
      done();
      return;
    }
    const parent = contextFromHeaders(request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          [ATTR_URL_PATH]: path,
          [ATTR_URL_SCHEME]: request.protocol,
          [ATTR_SERVER_ADDRESS]: request.hostname,
          [ATTR_CLIENT_ADDRESS]: request.ip,
          [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
          ...(request.headers['user-agent']
            ? { [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'] }
            : {}),
        },
      },
      parent,
    );
    const entry = { span, context: trace.setSpan(parent, span) };
    spans.set(request, entry);
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(entry.context, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const entry = spans.get(request);
    if (entry === undefined) {
      done();
      return;
    }
    const route = request.routeOptions.url;
    if (route !== undefined) {
      entry.span.setAttribute(ATTR_HTTP_ROUTE, route);
      entry.span.updateName(`${request.method} ${route}`);
    }
    context.with(entry.context, done);
  });
  fastify.addHook('onError', (request, _reply, error, done) => {
    const entry = spans.get(request);
    // The status follows the response's code when it closes (a 4xx is no server error).
    if (entry !== undefined && entry.span.isRecording()) entry.span.recordException(error);
    done();
  });
}

import { type FastifyInstance } from 'fastify';
import { Gauge, Histogram } from 'prom-client';
import { httpMethodLabel, routeLabel, statusCodeLabel } from './labels';
import { metricsRegistry } from './registry';

/**
 * HTTP server metrics after OpenTelemetry's `http.server.request.duration` (seconds, by method,
 * route template and status code): its count is the request rate, its 5xx share the error rate.
 */
const requestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP server requests, by method, route template (never the raw path) and response status code.',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  registers: [metricsRegistry],
});

/**
 * Records every request a Fastify server answers, under the route the router matched
 * (`request.routeOptions.url`), when its response ends: an event stream (a hijacked reply) counts
 * when it closes, its whole life as its duration; `tributary_sse_streams_open` shows the open ones.
 */
export function instrumentHttpServer(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    requestDuration.observe(
      {
        http_request_method: httpMethodLabel(request.method),
        http_route: routeLabel(request.routeOptions.url),
        http_response_status_code: statusCodeLabel(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

const sseStreams = new Gauge({
  name: 'tributary_sse_streams_open',
  help: 'Server-Sent Event streams open on this gateway.',
  registers: [metricsRegistry],
});

export const sseMetrics = {
  opened(): void {
    sseStreams.inc();
  },
  closed(): void {
    sseStreams.dec();
  },
};

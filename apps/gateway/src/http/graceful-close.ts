import { type FastifyInstance } from 'fastify';

/**
 * Makes closing the HTTP server finish as soon as the requests in flight have been answered.
 * Node's server.close() reaps idle keep-alive sockets, but not a socket a client opened and has
 * sent nothing on yet (HTTP clients pre-open them), which would hold shutdown for the whole
 * keep-alive timeout. So once closing starts and no request is in flight, every connection goes;
 * `graceMs` bounds the wait for slow requests.
 */
export function closeConnectionsWhenIdle(fastify: FastifyInstance, graceMs: number): void {
  let inFlight = 0;
  let closing = false;
  const closeAll = () => fastify.server.closeAllConnections();
  fastify.addHook('onRequest', (_request, reply, done) => {
    inFlight += 1;
    // 'close' fires for every response, hijacked ones (event streams) included.
    reply.raw.once('close', () => {
      inFlight -= 1;
      if (closing && inFlight === 0) setImmediate(closeAll);
    });
    done();
  });
  fastify.addHook('preClose', (done) => {
    closing = true;
    if (inFlight === 0) setImmediate(closeAll);
    setTimeout(closeAll, graceMs).unref();
    done();
  });
}

import { type FastifyInstance } from 'fastify';
import { ApiProblem, PROBLEM_TYPES } from '../http/problem';
import { replyWithProblem, requestPath } from '../http/reply-problem';

/** `127.0.0.1`, `[::1]` or `localhost`, with any port: how a client on this machine names the gateway. */
const LOOPBACK_HOST_HEADER = /^(?:127\.0\.0\.1|\[::1\]|localhost)(?::\d{1,5})?$/i;

export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST_HEADER.test(host);
}

/**
 * With authentication off because the gateway listens on loopback, every request must name a loopback
 * host. A web page on a name its attacker re-points at 127.0.0.1 (DNS rebinding) reaches the socket
 * from the user's browser, but its requests carry that name in `Host`: they are answered 421
 * Misdirected Request (this server does not serve that authority) with problem details, on every
 * path, before routing does anything else.
 */
export function answerOnlyLoopbackHosts(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (isLoopbackHostHeader(request.headers.host)) return;
    const problem = new ApiProblem({
      type: PROBLEM_TYPES.misdirected,
      status: 421,
      title: 'Misdirected request',
      detail:
        'Authentication is disabled on this gateway, so it answers only requests addressed to ' +
        '127.0.0.1, [::1] or localhost; address it by one of those, or turn authentication on.',
    });
    return replyWithProblem(reply, problem, requestPath(request));
  });
}

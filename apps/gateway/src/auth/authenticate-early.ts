import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiProblem } from '../http/problem';
import { replyWithProblem, requestPath } from '../http/reply-problem';
import { unauthenticatedRateLimited } from './auth-problems';
import { type Authenticator } from './authenticator';
import { clientAddressKey } from './client-address';
import { type Principal, PRINCIPAL_REQUEST_KEY } from './principal';
import { type RateLimiter } from './rate-limiter';

/**
 * Whether the request reaches the API. Decided on the route the router matched (its pattern, such as
 * `/v1/tasks/:id`), not on the raw URL: the router decodes percent-encoding, so `/%761/tasks` runs
 * the `/v1/tasks` handler and must be authenticated like it. A request no route matched is judged by
 * its decoded path (it gets 401 rather than 404 under `/v1`, as before).
 */
function isApiRequest(request: FastifyRequest): boolean {
  let path = request.routeOptions.url;
  if (path === undefined) {
    const raw = requestPath(request);
    try {
      path = decodeURIComponent(raw);
    } catch {
      path = raw;
    }
  }
  return path === '/v1' || path.startsWith('/v1/');
}

/**
 * Authenticates every API request as soon as it is routed, before its body is read or parsed: an
 * anonymous caller gets 401 whatever it sends, and costs no JSON parsing. The route's guard then
 * checks the scope and the rate limit with the principal left on the request. Health and docs
 * (outside `/v1`) stay open.
 *
 * Requests without valid credentials are limited per client address (`anonymous`): each 401 takes a
 * token from the address's bucket, and an address whose bucket is empty gets 429 before its
 * credentials are looked at, so guessing keys or hammering without any cannot drive store reads.
 */
export function authenticateEarly(
  fastify: FastifyInstance,
  authenticator: Authenticator,
  anonymous: RateLimiter,
): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!isApiRequest(request)) return;
    const path = requestPath(request);
    const address = clientAddressKey(request.ip);
    if (authenticator.enabled) {
      const decision = anonymous.peek(address);
      if (!decision.allowed) {
        return replyWithProblem(reply, unauthenticatedRateLimited(decision.retryAfterSeconds), path);
      }
    }
    const header: unknown = request.headers.authorization;
    try {
      const principal = await authenticator.authenticate(typeof header === 'string' ? header : undefined);
      (request as unknown as Record<string, Principal>)[PRINCIPAL_REQUEST_KEY] = principal;
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      if (error.status === 401) anonymous.take(address);
      return replyWithProblem(reply, error, path);
    }
  });
}

import { type FastifyInstance } from 'fastify';
import { ApiProblem, PROBLEM_CONTENT_TYPE } from '../http/problem';
import { type Authenticator } from './authenticator';
import { type Principal, PRINCIPAL_REQUEST_KEY } from './principal';

/**
 * Authenticates every `/v1` request as soon as it arrives, before its body is read or parsed: an
 * anonymous caller gets 401 whatever it sends, and costs no JSON parsing. The route's guard then
 * checks the scope and the rate limit with the principal left on the request. Health and docs
 * (outside `/v1`) stay open.
 */
export function authenticateEarly(fastify: FastifyInstance, authenticator: Authenticator): void {
  fastify.addHook('onRequest', async (request, reply) => {
    // The route the router matched, not the raw URL: `/%761/tasks` is routed to `/v1/tasks` (the
    // router decodes), so a check of the raw path would let it through to the body parser.
    const path = request.routeOptions.url ?? decodedPath(request.url);
    if (path !== '/v1' && !path.startsWith('/v1/')) return;
    const header: unknown = request.headers.authorization;
    try {
      const principal = await authenticator.authenticate(typeof header === 'string' ? header : undefined);
      (request as unknown as Record<string, Principal>)[PRINCIPAL_REQUEST_KEY] = principal;
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      return reply
        .status(error.status)
        .headers({ ...error.headers, 'content-type': PROBLEM_CONTENT_TYPE })
        .send(JSON.stringify(error.toDocument(request.url.split('?')[0] ?? '')));
    }
  });
}

/** The path of a URL no route matched, percent-decoded as the router would (the raw one if malformed). */
function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

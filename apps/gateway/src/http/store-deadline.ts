import { type FastifyInstance } from 'fastify';
import { OutstandingOperations, withStoreDeadline } from '@tributary/platform';

/**
 * Every store operation a request starts ends within `operationTimeoutMs` (then the request answers
 * 503 with Retry-After, see ProblemFilter), so a store that is down or stopped answering never
 * holds a client. The scope is entered when the request arrives (the early authentication hook reads
 * API keys) and again right before the handler: reading the body runs in the socket's context, not
 * the request's, so the first scope does not reach the guards and handlers. At most `maxOutstanding`
 * of the requests' operations are at the store at once; more are refused at once (503), so clients
 * retrying against a slow store cannot bury it (see OutstandingOperations).
 */
export function boundStoreOperationsPerRequest(
  fastify: FastifyInstance,
  operationTimeoutMs: number,
  maxOutstanding: number,
): OutstandingOperations {
  // Shared by every request of this server: at most this many of their operations at the store.
  const outstanding = new OutstandingOperations(maxOutstanding);
  fastify.addHook('onRequest', (_request, _reply, done) =>
    withStoreDeadline(operationTimeoutMs, () => done(), outstanding),
  );
  fastify.addHook('preHandler', (_request, _reply, done) =>
    withStoreDeadline(operationTimeoutMs, () => done(), outstanding),
  );
  return outstanding;
}

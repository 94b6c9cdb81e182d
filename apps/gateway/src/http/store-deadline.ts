import { type FastifyInstance } from 'fastify';
import { withStoreDeadline } from '@tributary/platform';

/**
 * Every store operation a request starts ends within `operationTimeoutMs` (then the request answers
 * 503 with Retry-After, see ProblemFilter), so a store that is down or stopped answering never
 * holds a client. The scope is entered when the request arrives (the early authentication hook reads
 * API keys) and again right before the handler: reading the body runs in the socket's context, not
 * the request's, so the first scope does not reach the guards and handlers.
 */
export function boundStoreOperationsPerRequest(fastify: FastifyInstance, operationTimeoutMs: number): void {
  fastify.addHook('onRequest', (_request, _reply, done) =>
    withStoreDeadline(operationTimeoutMs, () => done()),
  );
  fastify.addHook('preHandler', (_request, _reply, done) =>
    withStoreDeadline(operationTimeoutMs, () => done()),
  );
}

import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problem';

/**
 * Errors Fastify raises while routing, before any handler or Nest filter runs (a malformed URL, a
 * path parameter longer than `maxParamLength`), answered as problem details like every other error.
 */
export function frameworkErrorProblem(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = (request.url ?? '').split('?')[0] ?? '';
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new ApiProblem({
          type: PROBLEM_TYPES.badRequest,
          status: 414,
          title: 'URI too long',
          detail: 'A path parameter is far longer than any valid value.',
        })
      : error.code === 'FST_ERR_BAD_URL'
        ? new ApiProblem({
            type: PROBLEM_TYPES.badRequest,
            status: 400,
            title: 'Bad request',
            detail: 'The URL is malformed.',
          })
        : new ApiProblem({
            type: PROBLEM_TYPES.internal,
            status: 500,
            title: 'Internal server error',
            detail: 'The gateway could not handle this request; it has been logged.',
          });
  void reply
    .status(problem.status)
    .headers({ 'content-type': PROBLEM_CONTENT_TYPE })
    .send(JSON.stringify(problem.toDocument(path)));
}

import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type ApiProblem, PROBLEM_CONTENT_TYPE } from './problem';

/** The request path, without the query: a problem's `instance`. */
export function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '';
}

/**
 * Answers from a Fastify hook, before Nest (and its exception filter) sees the request: the same
 * problem-details document the filter would render.
 */
export function replyWithProblem(reply: FastifyReply, problem: ApiProblem, instance: string): FastifyReply {
  return reply
    .status(problem.status)
    .headers({ ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE })
    .send(JSON.stringify(problem.toDocument(instance)));
}
